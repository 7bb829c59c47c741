using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Stores;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.IntegrationTests.Stores;

/// <summary>
/// The account-wide budgets in a real Redis: the GCRA script on explicit timestamps, and the bind slots as several
/// replicas (each its own connection) see them.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class AccountBudgetTests(RedisServer redis)
{
    private const long Second = 1_000_000;

    private static SmppConnectionOptions Connection(int maxBinds = 0, int perSecond = 0) =>
        new() { Index = 0, Name = "instasent", MaxBinds = maxBinds, MaxSubmitsPerSecond = perSecond };

    /// <summary>One evaluation of the GCRA script at <paramref name="nowMicroseconds"/>: (granted, wait µs).</summary>
    private static async Task<(long Granted, long WaitMicroseconds)> TakeAsync(RedisScope scope, int perSecond, int burst, int requested, long nowMicroseconds)
    {
        var result = (RedisResult[])(await scope.Database.ScriptEvaluateAsync(RedisSubmitTokens.Script, [scope.KeyPrefix + "gcra"],
            [1_000_000.0 / perSecond, burst, requested, nowMicroseconds]))!;
        return ((long)result[0], (long)result[1]);
    }

    [Fact]
    public async Task The_GCRA_grants_the_burst_at_once_then_one_token_per_emission_interval()
    {
        await using var scope = redis.CreateScope();
        var t0 = 1_700_000_000L * Second;

        // 10/s with a burst of 5: the first request of 8 gets the burst, the next nothing, and must wait one interval.
        Assert.Equal((5L, 0L), await TakeAsync(scope, 10, 5, 8, t0));
        Assert.Equal((0L, 100_000L), await TakeAsync(scope, 10, 5, 8, t0));
        // 100 ms later exactly one token conformed; 250 ms after that, two more (the half-interval is not a token).
        Assert.Equal((1L, 0L), await TakeAsync(scope, 10, 5, 8, t0 + 100_000));
        Assert.Equal((2L, 0L), await TakeAsync(scope, 10, 5, 8, t0 + 350_000));
        Assert.Equal(0L, (await TakeAsync(scope, 10, 5, 8, t0 + 350_000)).Granted);
    }

    [Fact]
    public async Task The_GCRA_never_grants_more_than_the_rate_plus_its_burst_in_any_second()
    {
        await using var scope = redis.CreateScope();
        var t0 = 1_700_000_000L * Second;
        long granted = 0;
        // Greedy requests of 3 every 10 ms for 3 s against 50/s with a burst of 5: 50 × 3 + 5 at most.
        for (var ms = 0; ms < 3000; ms += 10)
        {
            granted += (await TakeAsync(scope, 50, 5, 3, t0 + ms * 1000L)).Granted;
        }

        Assert.InRange(granted, 150, 155);
    }

    [Fact]
    public async Task The_GCRA_state_expires_once_the_bucket_is_full_again()
    {
        await using var scope = redis.CreateScope();
        await TakeAsync(scope, 10, 5, 5, -1);

        var ttl = await scope.Database.KeyTimeToLiveAsync(scope.KeyPrefix + "gcra");

        // Five tokens at 10/s are 500 ms of emission: the key lives that long plus a minute, then an empty key means a full bucket.
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(59), TimeSpan.FromMilliseconds(60_502));
    }

    [Fact]
    public async Task Replicas_never_hold_more_bind_slots_than_MaxBinds_and_a_released_slot_wakes_a_waiter()
    {
        await using var replicas = await BudgetReplicas.CreateAsync(redis, 3, TimeSpan.FromSeconds(30));
        var slots = replicas.Select(r => r.BindSlots(Connection(maxBinds: 2))).ToList();
        var first = await slots[0].TryAcquireAsync(default);
        var second = await slots[1].TryAcquireAsync(default);
        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Null(await slots[2].TryAcquireAsync(default));
        Assert.Null(await slots[0].TryAcquireAsync(default));

        // Waiting far longer than the test's bound: only the release's notification ends the wait in time.
        var waiting = slots[2].WaitForReleaseAsync(TimeSpan.FromMinutes(5), default);
        await first!.DisposeAsync();
        await waiting.WaitAsync(StoreReplicas.Bound);
        var taken = await slots[2].TryAcquireAsync(default);

        Assert.NotNull(taken);
        Assert.Equal(first.Slot, taken!.Slot);
        Assert.True(await second!.RenewAsync(default));
        Assert.All(await replicas.Scope.KeysAsync(), key => Assert.NotNull(key.TimeToLive));
    }

    [Fact]
    public async Task A_dead_replicas_bind_slot_returns_when_its_lease_lapses_and_its_late_renewal_fails()
    {
        var lease = TimeSpan.FromMilliseconds(600);
        await using var replicas = await BudgetReplicas.CreateAsync(redis, 2, lease);
        var dead = replicas[0].BindSlots(Connection(maxBinds: 1));
        var survivor = replicas[1].BindSlots(Connection(maxBinds: 1));
        // Never released nor renewed: its holder "died" holding it.
        var abandoned = await dead.TryAcquireAsync(default);
        Assert.NotNull(abandoned);
        Assert.Null(await survivor.TryAcquireAsync(default));

        IBindSlotLease? taken = null;
        var started = DateTime.UtcNow;
        // Bounded: one attempt per third of the lease until the test's bound.
        while (taken is null && DateTime.UtcNow - started < StoreReplicas.Bound)
        {
            await survivor.WaitForReleaseAsync(lease / 3, default);
            taken = await survivor.TryAcquireAsync(default);
        }

        Assert.NotNull(taken);
        Assert.True(DateTime.UtcNow - started >= lease - TimeSpan.FromMilliseconds(50), "the slot came back before the lease could lapse");
        Assert.False(await abandoned!.RenewAsync(default));
        // The late holder's release leaves the new holder's slot alone.
        await abandoned.DisposeAsync();
        Assert.True(await taken!.RenewAsync(default));
    }

    [Fact]
    public async Task In_memory_MaxBinds_caps_this_process_and_zero_is_unlimited()
    {
        var budgets = new InMemoryAccountBudgets();
        var capped = budgets.BindSlots(Connection(maxBinds: 1) with { Name = "capped" });
        var unlimited = budgets.BindSlots(Connection(maxBinds: 0) with { Name = "unlimited" });

        var held = await capped.TryAcquireAsync(default);
        Assert.NotNull(held);
        Assert.Null(await capped.TryAcquireAsync(default));
        await held!.DisposeAsync();
        Assert.NotNull(await capped.TryAcquireAsync(default));
        for (var i = 0; i < 100; i++)
        {
            Assert.NotNull(await unlimited.TryAcquireAsync(default));
        }
        Assert.Null(budgets.SubmitTokens(Connection(perSecond: 10)));
    }

    [Fact]
    public async Task Replicas_sharing_a_submit_budget_take_no_more_than_the_rate_plus_two_batches_and_a_latency_in_any_second()
    {
        const int perSecond = 100;
        await using var replicas = await BudgetReplicas.CreateAsync(redis, 3, TimeSpan.FromSeconds(30));
        var tokens = replicas.Select(r => r.SubmitTokens(Connection(perSecond: perSecond))!).ToList();
        var batch = RedisSubmitTokens.BatchFor(perSecond, 0);
        var taken = new System.Collections.Concurrent.ConcurrentQueue<DateTime>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));

        // Each replica takes tokens as fast as it can for 3 s.
        await Task.WhenAll(tokens.Select(t => Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await t.TakeAsync(stop.Token);
                    taken.Enqueue(DateTime.UtcNow);
                }
            }
            catch (OperationCanceledException)
            {
            }
        })));

        var times = taken.Order().ToList();
        var maxInOneSecond = times.Select((t, i) => times.Skip(i).TakeWhile(u => u - t < TimeSpan.FromSeconds(1)).Count()).Max();
        // Tolerance: the burst and one batch (2 batches), plus 10 % for tokens granted during one Redis response latency.
        var bound = perSecond + 2 * batch + perSecond / 10;
        Console.WriteLine($"shared submit budget {perSecond}/s, batch {batch}, 3 replicas: {times.Count} tokens in 3 s, at most {maxInOneSecond} in any 1 s window (bound {bound})");
        Assert.InRange(maxInOneSecond, 1, bound);
        Assert.InRange(times.Count, 1, 3 * perSecond + bound);
    }
}

/// <summary>Several replicas' <see cref="RedisAccountBudgets"/>, each over its own connection, under one test's key prefix.</summary>
internal sealed class BudgetReplicas : List<IAccountBudgets>, IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];

    public RedisScope Scope { get; private set; } = null!;

    public static async Task<BudgetReplicas> CreateAsync(RedisServer redis, int count, TimeSpan bindSlotLease)
    {
        var replicas = new BudgetReplicas { Scope = redis.CreateScope() };
        replicas._owned.Add(replicas.Scope);
        var options = new StoresOptions { Provider = StoreProvider.Redis, KeyPrefix = replicas.Scope.KeyPrefix, BindSlotLease = bindSlotLease };
        for (var i = 0; i < count; i++)
        {
            var connection = await RedisServer.ConnectAsync(redis.Configuration);
            replicas._owned.Add(connection);
            replicas.Add(new RedisAccountBudgets(connection, options, TimeProvider.System));
        }
        return replicas;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
    }
}
