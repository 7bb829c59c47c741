using System.Diagnostics;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Stores;

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
}
