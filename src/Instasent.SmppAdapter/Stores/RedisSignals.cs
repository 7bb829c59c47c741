using StackExchange.Redis;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Waiting for something another replica does, without polling Redis in a loop: the replica that does it publishes an
/// id on <see cref="Channel"/>; this process holds one subscription to it and wakes the local waiters of that id, which
/// then look again. A slow re-check (<see cref="Recheck"/>) covers what publishes nothing: a lease that lapsed, a
/// message lost while the subscription was reconnecting.
/// </summary>
internal sealed class RedisSignals(IConnectionMultiplexer redis, string channel, TimeProvider time)
{
    /// <summary>How often a waiter looks again without a signal.</summary>
    internal static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);

    private readonly Dictionary<string, List<TaskCompletionSource>> _waiters = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _subscribing = new(1, 1);
    private volatile bool _subscribed;

    public RedisChannel Channel { get; } = RedisChannel.Literal(channel);

    /// <summary>
    /// The first non-null answer of <paramref name="probe"/>: asked at once, then on each signal for <paramref name="id"/>
    /// and every re-check interval; null after <paramref name="timeout"/>.
    /// </summary>
    public async Task<T?> WaitAsync<T>(string id, Func<Task<T?>> probe, TimeSpan timeout, CancellationToken cancellationToken)
        where T : class
    {
        await SubscribeAsync().ConfigureAwait(false);
        var deadline = time.GetUtcNow() + timeout;
        // Bounded: every round waits for a signal or a re-check interval; a signal per round at most ends it sooner.
        var maxRounds = 2 + (int)Math.Min(100_000, timeout / Recheck) * 2;
        for (var round = 0; round < maxRounds; round++)
        {
            // Registered before the probe: a signal sent between the two still wakes this waiter.
            var signal = Register(id);
            try
            {
                if (await probe().ConfigureAwait(false) is { } found)
                {
                    return found;
                }
                var left = deadline - time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    return null;
                }
                try
                {
                    await signal.Task.WaitAsync(left < Recheck ? left : Recheck, time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    // The slow re-check: look again.
                }
            }
            finally
            {
                Unregister(id, signal);
            }
        }
        return await probe().ConfigureAwait(false);
    }

    private async Task SubscribeAsync()
    {
        if (_subscribed)
        {
            return;
        }
        await _subscribing.WaitAsync().ConfigureAwait(false);
        try
        {
            if (!_subscribed)
            {
                await redis.GetSubscriber().SubscribeAsync(Channel, (_, message) => Wake(message.ToString())).ConfigureAwait(false);
                _subscribed = true;
            }
        }
        finally
        {
            _subscribing.Release();
        }
    }

    private TaskCompletionSource Register(string id)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (!_waiters.TryGetValue(id, out var list))
            {
                _waiters[id] = list = [];
            }
            list.Add(signal);
        }
        return signal;
    }

    private void Unregister(string id, TaskCompletionSource signal)
    {
        lock (_waiters)
        {
            if (_waiters.TryGetValue(id, out var list) && list.Remove(signal) && list.Count == 0)
            {
                _waiters.Remove(id);
            }
        }
    }

    private void Wake(string id)
    {
        List<TaskCompletionSource>? woken;
        lock (_waiters)
        {
            _waiters.Remove(id, out woken);
        }
        foreach (var signal in woken ?? [])
        {
            signal.TrySetResult();
        }
    }
}
