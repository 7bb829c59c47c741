using System.Collections.Concurrent;
using Instasent.SmppAdapter.Configuration;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// The account-wide budgets in Redis, shared by every replica: <c>MaxSubmitsPerSecond</c> as a GCRA whose tokens each
/// replica takes in small batches (<see cref="RedisSubmitTokens"/>), and <c>MaxBinds</c> as one key per bind slot,
/// held by a lease (<see cref="RedisBindSlots"/>).
/// </summary>
public sealed class RedisAccountBudgets : IAccountBudgets
{
    private readonly IConnectionMultiplexer _redis;
    private readonly StoresOptions _options;
    private readonly TimeProvider _time;
    private readonly RedisStoreKeys _keys;
    private readonly RedisReleaseSignals _released;
    private readonly ConcurrentDictionary<string, ISubmitTokens?> _tokens = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, IBindSlots> _slots = new(StringComparer.OrdinalIgnoreCase);

    public RedisAccountBudgets(IConnectionMultiplexer redis, StoresOptions options, TimeProvider time)
    {
        _redis = redis;
        _options = options;
        _time = time;
        _keys = new RedisStoreKeys(options.KeyPrefix);
        _released = new RedisReleaseSignals(redis, _keys.BindReleasedChannel);
    }

    public ISubmitTokens? SubmitTokens(SmppConnectionOptions connection) => _tokens.GetOrAdd(connection.Name, _ =>
        connection.MaxSubmitsPerSecond <= 0
            ? null
            : new RedisSubmitTokens(_redis, _keys.SubmitBudget(connection.Name), connection.MaxSubmitsPerSecond,
                RedisSubmitTokens.BatchFor(connection.MaxSubmitsPerSecond, _options.SubmitTokenBatch), _time));

    public IBindSlots BindSlots(SmppConnectionOptions connection) => _slots.GetOrAdd(connection.Name, _ =>
        connection.MaxBinds <= 0
            ? new InMemoryBindSlots(0)
            : new RedisBindSlots(_redis, _keys, connection.Name, connection.MaxBinds, _options.BindSlotLease, _released));
}

/// <summary>
/// GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp) for one connection's
/// <c>MaxSubmitsPerSecond</c>, evaluated in Redis so every replica draws on one budget. Each round trip takes a batch
/// of tokens; tokens a replica does not use within the batch's own share of time (batch ÷ rate) are dropped, so a
/// replica never saves tokens for a later burst. In any one second the account sends at most rate + 2 × batch submits
/// (the bucket's burst, plus one batch taken just before the second began), plus what the rate grants during one
/// Redis response latency (the hold starts when the tokens arrive, so a slow Redis never wastes them).
/// </summary>
internal sealed class RedisSubmitTokens : ISubmitTokens
{
    /// <summary>
    /// KEYS[1] the theoretical arrival time (TAT, µs); ARGV interval (µs per token), burst (tokens), requested (tokens),
    /// now (µs; negative = Redis' own clock, so replicas' clocks never matter). Returns {granted, wait µs}: the tokens
    /// granted now (up to requested), or 0 and how long until one conforms.
    /// </summary>
    internal const string Script = """
        local interval = tonumber(ARGV[1])
        local burst = tonumber(ARGV[2])
        local requested = tonumber(ARGV[3])
        local now = tonumber(ARGV[4])
        if now < 0 then
            local t = redis.call('TIME')
            now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        end
        local tat = tonumber(redis.call('GET', KEYS[1]) or now)
        if tat < now then tat = now end
        local granted = math.floor((burst * interval - (tat - now)) / interval)
        if granted > requested then granted = requested end
        if granted < 1 then
            return {0, math.ceil(tat - (burst - 1) * interval - now)}
        end
        tat = tat + granted * interval
        -- Kept a minute past the time the bucket is full again: a stale TAT counts as now, a missing key as full.
        redis.call('SET', KEYS[1], string.format('%.3f', tat), 'PX', math.ceil((tat - now) / 1000) + 60000)
        return {granted, 0}
        """;

    /// <summary>How long a failed round trip waits before the next (Redis away: submits pause, as in an SMSC outage).</summary>
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(250);

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisKey _key;
    private readonly double _intervalMicroseconds;
    private readonly int _batch;
    private readonly TimeProvider _time;
    private readonly TimeSpan _holdFor;
    private readonly SemaphoreSlim _refilling = new(1, 1);
    private readonly Lock _lock = new();
    private int _tokens;
    private DateTimeOffset _tokensExpire;

    public RedisSubmitTokens(IConnectionMultiplexer redis, RedisKey key, int perSecond, int batch, TimeProvider time)
    {
        _redis = redis;
        _key = key;
        _intervalMicroseconds = 1_000_000.0 / perSecond;
        _batch = batch;
        _time = time;
        _holdFor = TimeSpan.FromSeconds((double)batch / perSecond);
    }

    /// <summary>The batch, and the bucket's burst: <paramref name="configured"/>, else a twentieth of the rate (at least 1).</summary>
    public static int BatchFor(int perSecond, int configured) => configured > 0 ? Math.Min(configured, perSecond) : Math.Max(1, perSecond / 20);

    public async ValueTask TakeAsync(CancellationToken cancellationToken)
    {
        // Bounded by the token: each round either takes a local token, takes a batch, or waits for the bucket.
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (TryTakeLocal())
            {
                return;
            }
            await _refilling.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (TryTakeLocal())
                {
                    return;
                }
                var wait = await RefillAsync().ConfigureAwait(false);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _refilling.Release();
            }
        }
    }

    /// <summary>Takes a batch into the local pool; returns how long to wait before asking again (zero: tokens arrived).</summary>
    private async Task<TimeSpan> RefillAsync()
    {
        RedisResult[] result;
        try
        {
            result = (RedisResult[])(await RedisOperations.MeasureAsync("budget.take", () =>
                _redis.GetDatabase().ScriptEvaluateAsync(Script, [_key], [_intervalMicroseconds, _batch, _batch, -1])).ConfigureAwait(false))!;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return RetryDelay;
        }
        var granted = (int)result[0];
        if (granted == 0)
        {
            return TimeSpan.FromMicroseconds(Math.Max(1, (long)result[1]));
        }
        lock (_lock)
        {
            _tokens = granted;
            _tokensExpire = _time.GetUtcNow() + _holdFor;
        }
        return TimeSpan.Zero;
    }

    private bool TryTakeLocal()
    {
        lock (_lock)
        {
            if (_tokens > 0 && _time.GetUtcNow() < _tokensExpire)
            {
                _tokens--;
                return true;
            }
            _tokens = 0;
            return false;
        }
    }
}

/// <summary>
/// A connection's <c>MaxBinds</c> slots, one key each (<c>budget:{connection}:bind:N</c>) holding its holder's id with
/// the lease as TTL: taken with SET NX PX, renewed and released only by the holder (compare and act in one script), so
/// a slot returns when its holder releases it or, if the holder died, when the lease lapses.
/// </summary>
internal sealed class RedisBindSlots(IConnectionMultiplexer redis, RedisStoreKeys keys, string connection, int maxBinds, TimeSpan lease,
    RedisReleaseSignals released) : IBindSlots
{
    // KEYS: every slot of the connection (one hash tag, one cluster slot); the first free one is taken.
    private const string AcquireScript = """
        for i, key in ipairs(KEYS) do
            if redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2]) then return i - 1 end
        end
        return -1
        """;

    private const string RenewScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 0
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then
            redis.call('DEL', KEYS[1])
            redis.call('PUBLISH', ARGV[2], ARGV[3])
            return 1
        end
        return 0
        """;

    private readonly RedisKey[] _slotKeys = Enumerable.Range(0, maxBinds).Select(slot => keys.BindSlot(connection, slot)).ToArray();

    public TimeSpan Lease => lease;

    public async ValueTask<IBindSlotLease?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        // Redis calls take no token: an unreachable Redis would hold a stopping session slot for its whole timeout (5 s,
        // the host's stop budget in tests), so the wait ends with the token. A slot acquired after that lapses unrenewed.
        await released.SubscribeAsync(cancellationToken).ConfigureAwait(false);
        // Who holds the slot, for an operator reading the key: host, process and a unique suffix.
        var owner = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";
        var slot = (int)await RedisOperations.MeasureAsync("bind_slot.acquire", () =>
            redis.GetDatabase().ScriptEvaluateAsync(AcquireScript, _slotKeys, [owner, (long)lease.TotalMilliseconds])).WaitAsync(cancellationToken).ConfigureAwait(false);
        return slot < 0 ? null : new Held(this, slot, owner);
    }

    public Task WaitForReleaseAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        released.WaitAsync(connection, timeout, cancellationToken);

    private async ValueTask<bool> RenewAsync(int slot, string owner) =>
        (long)await RedisOperations.MeasureAsync("bind_slot.renew", () =>
            redis.GetDatabase().ScriptEvaluateAsync(RenewScript, [_slotKeys[slot]], [owner, (long)lease.TotalMilliseconds])).ConfigureAwait(false) == 1;

    /// <summary>A release that cannot reach Redis leaves the lease to lapse.</summary>
    private async ValueTask ReleaseAsync(int slot, string owner)
    {
        try
        {
            await RedisOperations.MeasureAsync("bind_slot.release", () =>
                redis.GetDatabase().ScriptEvaluateAsync(ReleaseScript, [_slotKeys[slot]], [owner, keys.BindReleasedChannel, connection])).ConfigureAwait(false);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
        }
    }

    private sealed class Held(RedisBindSlots slots, int slot, string owner) : IBindSlotLease
    {
        public int Slot => slot;

        public ValueTask<bool> RenewAsync(CancellationToken cancellationToken) => slots.RenewAsync(slot, owner);

        public ValueTask DisposeAsync() => slots.ReleaseAsync(slot, owner);
    }
}

/// <summary>
/// Wakes this process's waiters for a connection's bind slot when any replica releases one: one subscription per
/// process, one signal per connection, replaced at each release.
/// </summary>
internal sealed class RedisReleaseSignals(IConnectionMultiplexer redis, string channel)
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.OrdinalIgnoreCase);
    private readonly RedisSubscription _subscription = new(redis, RedisChannel.Literal(channel));

    /// <summary>Subscribes once (<see cref="RedisSubscription"/>); <paramref name="cancellationToken"/> ends the wait for an unreachable Redis (a stop).</summary>
    public Task SubscribeAsync(CancellationToken cancellationToken) => _subscription.SubscribeAsync(Wake, cancellationToken);

    public async Task WaitAsync(string connection, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var signal = _signals.GetOrAdd(connection, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        try
        {
            await signal.Task.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A lease may have lapsed (nothing publishes that): look again.
        }
    }

    private void Wake(string connection)
    {
        if (_signals.TryRemove(connection, out var signal))
        {
            signal.TrySetResult();
        }
    }
}
