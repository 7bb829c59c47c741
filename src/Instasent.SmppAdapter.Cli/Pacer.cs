namespace Instasent.SmppAdapter.Cli;

/// <summary>
/// Paces sends to a rate: a token bucket refilled continuously at <c>rate</c> tokens a second that holds a tenth of
/// a second's worth. The n-th send is due n/rate after the first, on an absolute schedule, so timer granularity
/// does not add up to drift; falling behind (a slow confirm) is caught up with bursts of at most the bucket size.
/// </summary>
internal sealed class Pacer
{
    readonly TimeProvider _time;
    readonly TimeSpan _interval;
    readonly TimeSpan _burst;
    long _start;
    TimeSpan _next;
    bool _started;

    public Pacer(double ratePerSecond, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ratePerSecond);
        _time = time;
        _interval = TimeSpan.FromSeconds(1 / ratePerSecond);
        _burst = TimeSpan.FromSeconds(0.1) > _interval ? TimeSpan.FromSeconds(0.1) : _interval;
    }

    /// <summary>Completes when the next send is due (at once for the first).</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        if (!_started)
        {
            _started = true;
            _start = _time.GetTimestamp();
        }

        var now = _time.GetElapsedTime(_start);
        // A bucket never holds more than _burst: time not used for sending is not saved up beyond it.
        if (_next < now - _burst)
        {
            _next = now - _burst;
        }

        if (_next > now)
        {
            await Task.Delay(_next - now, _time, cancellationToken).ConfigureAwait(false);
        }

        _next += _interval;
    }
}
