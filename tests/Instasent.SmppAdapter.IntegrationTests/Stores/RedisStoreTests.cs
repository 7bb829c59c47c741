using System.Collections.Concurrent;
using System.Diagnostics;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Stores;
using Instasent.Testing;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.IntegrationTests.Stores;

/// <summary>What only a shared store has: leases that lapse when their holder dies, and keys that all expire.</summary>
[Collection(RedisCollection.Name)]
public sealed class RedisStoreTests(RedisServer redis)
{
    private static readonly TimeSpan ShortLease = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task A_claim_whose_holder_died_lapses_after_its_lease()
    {
        await using var stores = await StoreReplicas.CreateAsync(StoreReplicas.Redis, redis, ShortLease);
        // Never disposed: its holder "died" holding it.
        var abandoned = await stores.Idempotency(0).ClaimAsync("m", null, default);

        // No release is published; the slow re-check finds the lapsed lease.
        await stores.Idempotency(1).WaitForReleaseAsync("m", StoreReplicas.Bound, default).WaitAsync(StoreReplicas.Bound);

        Assert.Equal(IdempotencyClaimStatus.Claimed, abandoned.Status);
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await stores.Idempotency(1).ClaimAsync("m", null, default)).Status);
    }

    [Fact]
    public async Task A_late_release_by_a_holder_whose_lease_lapsed_leaves_the_new_claim()
    {
        await using var stores = await StoreReplicas.CreateAsync(StoreReplicas.Redis, redis, ShortLease);
        var late = await stores.Idempotency(0).ClaimAsync("m", null, default);
        await stores.Idempotency(1).WaitForReleaseAsync("m", StoreReplicas.Bound, default).WaitAsync(StoreReplicas.Bound);
        using var current = await stores.Idempotency(1).ClaimAsync("m", null, default);

        late.Dispose();
        // Commands on one connection are answered in order: this claim is answered after the late release ran.
        var probe = await stores.Idempotency(0).ClaimAsync("m", null, default);

        Assert.Equal(IdempotencyClaimStatus.Claimed, current.Status);
        Assert.Equal(IdempotencyClaimStatus.InFlight, probe.Status);
    }

    [Fact]
    public async Task Every_key_expires_the_claim_within_its_lease()
    {
        await using var stores = await StoreReplicas.CreateAsync(StoreReplicas.Redis, redis);
        using var claim = await stores.Idempotency(0).ClaimAsync("m1", null, default);
        await stores.Idempotency(0).CompleteAsync("m2", new SmsRejected { MessageId = "m2", Reason = "r", Permanent = true, RejectedAt = default }, default);
        await stores.Progress(0).SaveAsync("m1", SubmitProgress.Start(2), default);
        await stores.Correlations(0).AddAsync("instasent", "ABC", new SegmentCorrelation
        {
            MessageId = "m1", Segment = 1, Segments = 2, SubmittedAt = default,
            SubmitContext = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded),
        });

        var keys = await stores.Scope!.KeysAsync();

        Assert.Equal(4, keys.Count);
        Assert.All(keys, k => Assert.NotNull(k.TimeToLive));
        var lease = new Configuration.StoresOptions().ClaimLease;
        Assert.InRange(Assert.Single(keys, k => k.Key.EndsWith(":claim", StringComparison.Ordinal)).TimeToLive!.Value, lease - StoreReplicas.Bound, lease);
    }

    [Fact]
    public async Task Nothing_is_published_for_a_release_or_a_correlation_nobody_waits_for_and_an_awaited_one_wakes_its_waiter()
    {
        await using var stores = await StoreReplicas.CreateAsync(StoreReplicas.Redis, redis);
        await using var listener = await RedisServer.ConnectAsync(redis.Configuration);
        var heard = new ConcurrentQueue<string>();
        await listener.GetSubscriber().SubscribeAsync(RedisChannel.Pattern(stores.Scope!.KeyPrefix + "*"), (channel, message) => heard.Enqueue($"{channel} {message}"));
        var correlation = new SegmentCorrelation { MessageId = "m", Segment = 1, Segments = 2, SubmittedAt = default };

        // A command's whole life with nobody waiting: its claim, an accepted segment, the outcome with the last
        // segment's correlation; a correlation added on its own; a claim released without an outcome.
        using (var claim = await stores.Idempotency(0).ClaimAsync("m", null, default))
        {
            var progress = SubmitProgress.Start(2);
            progress.SmscMessageIds[0] = "A1";
            await stores.Progress(0).SaveAcceptedAsync("m", progress, new AcceptedCorrelation("instasent", "A1", correlation), default);
            await claim.CompleteAsync(new SmsRejected { MessageId = "m", Reason = "r", Permanent = true, RejectedAt = default },
                new AcceptedCorrelation("instasent", "A2", correlation with { Segment = 2 }));
        }
        await stores.Correlations(0).AddAsync("instasent", "B1", correlation);
        (await stores.Idempotency(0).ClaimAsync("n", null, default)).Dispose();
        // Redis runs commands in order and delivers a subscriber's messages in that order: once this one arrives, any
        // message the operations above published has arrived too.
        var sentinel = RedisChannel.Literal(stores.Scope.KeyPrefix + "sentinel");
        await listener.GetSubscriber().PublishAsync(sentinel, "end");
        await Eventually.TrueAsync(() => heard.Any(h => h.EndsWith(" end", StringComparison.Ordinal)), "the sentinel message", StoreReplicas.Bound);
        Assert.Equal([$"{sentinel} end"], heard);

        // A receipt waiting for its correlation on replica 1 declares its wait, and the add on replica 0 wakes it.
        var waiting = stores.Correlations(1).FindAsync("instasent", "C1", StoreReplicas.Bound, default).AsTask();
        var declared = RedisStoreKeys.Waiting(stores.Scope.KeyPrefix + "correlated", RedisStoreKeys.CorrelationSignal("instasent", "C1"));
        await Eventually.TrueAsync(() => listener.GetDatabase().KeyExists(declared), "the declared wait", StoreReplicas.Bound);
        await stores.Correlations(0).AddAsync("instasent", "C1", correlation);

        Assert.Equal("m", (await waiting.WaitAsync(StoreReplicas.Bound))?.MessageId);
        Assert.Contains(heard, h => h.EndsWith(" instasent:C1", StringComparison.Ordinal));
    }
}
