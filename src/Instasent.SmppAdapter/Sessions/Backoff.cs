namespace Instasent.SmppAdapter.Sessions;

/// <summary>
/// Exponential back-off with "equal jitter": each delay is half the current step plus a random share of the other half,
/// so reconnecting sessions spread out instead of hammering a recovering SMSC together. Resets after a bind succeeds.
/// </summary>
public sealed class Backoff
{
    private readonly TimeSpan _min;
    private readonly TimeSpan _max;
    private readonly Random _random;
    private TimeSpan _step;

    public Backoff(TimeSpan min, TimeSpan max, Random? random = null)
    {
        _min = min;
        _max = max;
        _random = random ?? Random.Shared;
        _step = min;
    }

    public TimeSpan Next()
    {
        var step = _step;
        _step = TimeSpan.FromTicks(Math.Min(_max.Ticks, Math.Max(step.Ticks * 2, TimeSpan.FromMilliseconds(1).Ticks)));
        var half = step.Ticks / 2;
        var delay = TimeSpan.FromTicks(half + (long)(_random.NextDouble() * (step.Ticks - half)));
        return delay < _min ? _min : delay;
    }

    public void Reset() => _step = _min;
}
