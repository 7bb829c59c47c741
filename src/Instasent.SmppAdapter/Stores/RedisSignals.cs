using StackExchange.Redis;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Waiting for something another replica does, without polling Redis in a loop: the replica that does it publishes an
/// id on <see cref="Channel"/>; this process holds one subscription to it and wakes the local waiters of that id, which
/// then look again. Publishing is only for ids someone waits for: a waiter that does not find what it waits for at once
/// declares its wait (<see cref="RedisStoreKeys.Waiting"/>, a key with its wait as TTL) and looks again, and a
/// publishing script signals only an id so declared (<see cref="PublishIfAwaitedLua"/>). Declaring comes before the
/// second look and the scripts write before they check, so each signal is either seen by that look or published.
/// A slow re-check (<see cref="Recheck"/>) covers what publishes nothing: a lease that lapsed, a message lost while
/// the subscription was reconnecting.
/// </summary>
internal sealed class RedisSignals(IConnectionMultiplexer redis, string channel, TimeProvider time)
{
    /// <summary>How often a waiter looks again without a signal.</summary>
    internal static readonly TimeSpan Recheck = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The publishing half, for a script that has just written what a waiter looks for: <c>PUBLISH channel signal</c>
    /// when the key <c>waiting</c> exists. <paramref name="prefix"/> names its parameters: <c>@{prefix}Waiting</c>,
    /// <c>@{prefix}Channel</c>, <c>@{prefix}Signal</c>.
    /// </summary>
    internal static string PublishIfAwaitedLua(string prefix) =>
        $"if redis.call('EXISTS', @{prefix}Waiting) == 1 then redis.call('PUBLISH', @{prefix}Channel, @{prefix}Signal) end";

    // Extends a declared wait, never shortens it (another replica may wait longer for the same id).
    private const string DeclareScript = """
        if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], '1', 'PX', ARGV[1]) end
        return 1
        """;

    private readonly Dictionary<string, List<TaskCompletionSource>> _waiters = new(StringComparer.Ordinal);
    private readonly RedisSubscription _subscription = new(redis, RedisChannel.Literal(channel));

    public RedisChannel Channel { get; } = RedisChannel.Literal(channel);

    /// <summary>
    /// The first non-null answer of <paramref name="probe"/>: asked at once, then on each signal for <paramref name="id"/>
    /// and every re-check interval; null after <paramref name="timeout"/>. <paramref name="cancellationToken"/> ends the
    /// wait at once, a Redis call in flight included (StackExchange.Redis takes no token: the call is left to end by
    /// itself, at the latest at the client's timeout, and its answer is dropped).
    /// </summary>
    public async Task<T?> WaitAsync<T>(string id, Func<Task<T?>> probe, TimeSpan timeout, CancellationToken cancellationToken)
        where T : class
    {
        // Mostly it is there already: one look, and nothing to declare.
        if (await probe().WaitAsync(cancellationToken).ConfigureAwait(false) is { } there)
        {
            return there;
        }
        if (timeout <= TimeSpan.Zero)
        {
            return null;
        }
        await _subscription.SubscribeAsync(Wake, cancellationToken).ConfigureAwait(false);
        var deadline = time.GetUtcNow() + timeout;
        await RedisOperations.MeasureAsync("signal.await", () => redis.GetDatabase().ScriptEvaluateAsync(DeclareScript,
            [RedisStoreKeys.Waiting(channel, id)], [(long)(timeout + Recheck).TotalMilliseconds])).WaitAsync(cancellationToken).ConfigureAwait(false);
        // Bounded: every round waits for a signal or a re-check interval; a signal per round at most ends it sooner.
        var maxRounds = 2 + (int)Math.Min(100_000, timeout / Recheck) * 2;
        for (var round = 0; round < maxRounds; round++)
        {
            // Registered before the probe: a signal sent between the two still wakes this waiter.
            var signal = Register(id);
            try
            {
                if (await probe().WaitAsync(cancellationToken).ConfigureAwait(false) is { } found)
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
        return await probe().WaitAsync(cancellationToken).ConfigureAwait(false);
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
