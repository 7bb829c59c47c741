using System.Threading.RateLimiting;
using Instasent.SmppAdapter.Stores;

namespace Instasent.SmppAdapter.Sessions;

/// <summary>
/// Paces submit_sm for one connection, shared by all its sessions: a token bucket for <c>MaxSubmitsPerSecond</c>
/// (0 = unlimited), and an adaptive pause when the SMSC answers ESME_RTHROTTLED or ESME_RMSGQFUL. Each throttled answer
/// doubles the pause (from the minimum pause up to the maximum); each accepted submit halves it,
/// so the adapter settles just under the rate the SMSC tolerates instead of oscillating. With a shared budget
/// (<c>shared</c>, in Redis) the tokens come from the account's budget across every replica instead of the local bucket.
/// </summary>
public sealed class SubmitRateLimiter : IAsyncDisposable
{
    private readonly TokenBucketRateLimiter? _bucket;
    private readonly ISubmitTokens? _shared;
    private readonly TimeProvider _time;
    private readonly TimeSpan _minPause;
    private readonly TimeSpan _maxPause;
    private readonly object _gate = new();
    private TimeSpan _pause;
    private DateTimeOffset _pausedUntil;

    public SubmitRateLimiter(int maxSubmitsPerSecond, TimeSpan minPause, TimeSpan maxPause, TimeProvider time, ISubmitTokens? shared = null)
    {
        _time = time;
        _minPause = minPause;
        _maxPause = maxPause;
        _shared = shared;
        if (maxSubmitsPerSecond > 0 && shared is null)
        {
            // Replenish in tenths of a second so a burst never exceeds a tenth of the rate (at least one token).
            var perTick = Math.Max(1, maxSubmitsPerSecond / 10);
            _bucket = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = perTick,
                TokensPerPeriod = perTick,
                ReplenishmentPeriod = TimeSpan.FromSeconds((double)perTick / maxSubmitsPerSecond),
                QueueLimit = int.MaxValue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }
    }

    /// <summary>The current adaptive pause (zero when the SMSC is not throttling).</summary>
    public TimeSpan CurrentPause
    {
        get
        {
            lock (_gate)
            {
                return _pause;
            }
        }
    }

    /// <summary>Waits for the adaptive pause to pass, then for a token.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                wait = _pausedUntil - _time.GetUtcNow();
            }
            if (wait <= TimeSpan.Zero)
            {
                break;
            }
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
        if (_shared is not null)
        {
            await _shared.TakeAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (_bucket is not null)
        {
            using var lease = await _bucket.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Records the SMSC's answer to a submit_sm.</summary>
    public void Observe(CommandStatus status)
    {
        lock (_gate)
        {
            if (status.IsTransient())
            {
                _pause = _pause == TimeSpan.Zero ? _minPause : TimeSpan.FromTicks(Math.Min(_maxPause.Ticks, _pause.Ticks * 2));
                _pausedUntil = _time.GetUtcNow() + _pause;
            }
            else if (_pause > TimeSpan.Zero)
            {
                _pause = _pause <= _minPause ? TimeSpan.Zero : _pause / 2;
            }
        }
    }

    public ValueTask DisposeAsync() => _bucket?.DisposeAsync() ?? ValueTask.CompletedTask;
}
