using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Stores;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.IntegrationTests.Stores;

/// <summary>
/// Two replicas' view of one provider's stores. Redis: two store sets, each over its own connection (its own
/// subscription), under a test's key prefix. Memory: one store set seen by both, as a single process would; the
/// contract is what a second handle on the same state sees.
/// </summary>
public sealed class StoreReplicas : IAsyncDisposable
{
    public const string Memory = nameof(StoreProvider.Memory);
    public const string Redis = nameof(StoreProvider.Redis);

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<(IIdempotencyStore Idempotency, ISubmitProgressStore Progress, ICorrelationStore Correlations, IInboundPartStore InboundParts)> _replicas = [];

    public static readonly SendingOptions Sending = new();

    /// <summary>The longest a test waits for what must happen (generous: the machine is shared).</summary>
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    /// <summary>The Redis scope (null for memory), for its keys and TTLs.</summary>
    public RedisScope? Scope { get; private set; }

    public IIdempotencyStore Idempotency(int replica) => _replicas[replica].Idempotency;

    public ISubmitProgressStore Progress(int replica) => _replicas[replica].Progress;

    public ICorrelationStore Correlations(int replica) => _replicas[replica].Correlations;

    public IInboundPartStore InboundParts(int replica) => _replicas[replica].InboundParts;

    /// <summary><paramref name="time"/> (default the system clock) is the clock of the stores that read one.</summary>
    public static async Task<StoreReplicas> CreateAsync(string provider, RedisServer redis, TimeSpan? claimLease = null, TimeProvider? time = null)
    {
        time ??= TimeProvider.System;
        var replicas = new StoreReplicas();
        if (provider == Memory)
        {
            var correlations = new InMemoryCorrelationStore(Sending, time);
            var progress = new InMemorySubmitProgressStore(Sending, correlations, time);
            var set = (
                (IIdempotencyStore)new InMemoryIdempotencyStore(Sending, progress, correlations, time),
                (ISubmitProgressStore)progress,
                (ICorrelationStore)correlations,
                (IInboundPartStore)new InMemoryInboundPartStore(Sending, time));
            replicas._replicas.AddRange([set, set]);
            return replicas;
        }
        replicas.Scope = redis.CreateScope();
        replicas._owned.Add(replicas.Scope);
        var stores = new StoresOptions
        {
            Provider = StoreProvider.Redis,
            RedisConfiguration = redis.Configuration,
            KeyPrefix = replicas.Scope.KeyPrefix,
            ClaimLease = claimLease ?? new StoresOptions().ClaimLease,
        };
        for (var i = 0; i < 2; i++)
        {
            IConnectionMultiplexer connection = await RedisServer.ConnectAsync(redis.Configuration);
            replicas._owned.Add(connection);
            replicas._replicas.Add((
                new RedisIdempotencyStore(connection, stores, Sending, time),
                new RedisSubmitProgressStore(connection, stores, Sending),
                new RedisCorrelationStore(connection, stores, Sending, time),
                new RedisInboundPartStore(connection, stores, Sending, time)));
        }
        return replicas;
    }

    public async ValueTask DisposeAsync()
    {
        // The scope (first) deletes the keys while the connections are still open.
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }
}
