using System.Diagnostics;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Stores;

namespace Instasent.SmppAdapter.IntegrationTests.Stores;

/// <summary>
/// What every store provider promises, run against the in-memory stores and the Redis ones. Replica 0 and replica 1
/// stand for two adapter processes (for memory: the same process).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class StoreContractTests(RedisServer redis)
{

    public static TheoryData<string> Providers => [StoreReplicas.Memory, StoreReplicas.Redis];

    private static SmsSubmitted Submitted(string messageId) => new()
    {
        MessageId = messageId, SmscMessageIds = ["a1", "a2"], Segments = 2, Connection = "instasent", SessionId = "s1",
        SubmittedAt = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero), Metadata = new Dictionary<string, string> { ["team"] = "growth" },
    };

    private static SmsRejected Rejected(string messageId) => new()
    {
        MessageId = messageId, Code = "SMSC_REJECTED", Reason = "invalid destination", CommandStatus = 11, CommandStatusName = "ESME_RINVDSTADR",
        Permanent = true, AcceptedSegments = [new AcceptedSegment { Segment = 1, SmscMessageId = "a1" }], Connection = "instasent",
        RejectedAt = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero),
    };

    private static SegmentCorrelation Correlation(string messageId) => new()
    {
        MessageId = messageId, Segment = 2, Segments = 3, Metadata = new Dictionary<string, string> { ["team"] = "growth" },
        SubmittedAt = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero),
        SubmitContext = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded),
    };

    [Theory, MemberData(nameof(Providers))]
    public async Task A_claim_held_by_one_replica_is_in_flight_for_another(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);

        using var first = await stores.Idempotency(0).ClaimAsync("m", null, default);
        var second = await stores.Idempotency(1).ClaimAsync("m", null, default);

        Assert.Equal(IdempotencyClaimStatus.Claimed, first.Status);
        Assert.Equal(IdempotencyClaimStatus.InFlight, second.Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_released_claim_can_be_taken_by_another_replica(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        var first = await stores.Idempotency(0).ClaimAsync("m", null, default);

        first.Dispose();

        // The release is sent without waiting for Redis: the waiter is what observes it.
        await stores.Idempotency(1).WaitForReleaseAsync("m", StoreReplicas.Bound, default);
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await stores.Idempotency(1).ClaimAsync("m", null, default)).Status);
    }

    public static TheoryData<string, object> ProvidersAndOutcomes => new()
    {
        { StoreReplicas.Memory, Submitted("m") },
        { StoreReplicas.Memory, Rejected("m") },
        { StoreReplicas.Redis, Submitted("m") },
        { StoreReplicas.Redis, Rejected("m") },
    };

    [Theory, MemberData(nameof(ProvidersAndOutcomes))]
    public async Task An_outcome_is_returned_whole_to_a_later_claim_on_another_replica(string provider, object outcome)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        using (await stores.Idempotency(0).ClaimAsync("m", null, default))
        {
            await stores.Idempotency(0).CompleteAsync("m", outcome, default);
        }

        var again = await stores.Idempotency(1).ClaimAsync("m", null, default);

        Assert.Equal(IdempotencyClaimStatus.Completed, again.Status);
        Assert.IsType(outcome.GetType(), again.Outcome);
        Assert.Equivalent(outcome, again.Outcome, strict: true);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_outcome_recorded_while_its_claim_is_still_held_answers_a_twin(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        using var held = await stores.Idempotency(0).ClaimAsync("m", null, default);
        await stores.Idempotency(0).CompleteAsync("m", Rejected("m"), default);

        Assert.Equal(IdempotencyClaimStatus.Completed, (await stores.Idempotency(1).ClaimAsync("m", null, default)).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Waiting_for_release_ends_when_another_replica_releases(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        var held = await stores.Idempotency(0).ClaimAsync("m", null, default);
        var waiting = stores.Idempotency(1).WaitForReleaseAsync("m", StoreReplicas.Bound, default);

        held.Dispose();

        await waiting.WaitAsync(StoreReplicas.Bound);
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await stores.Idempotency(1).ClaimAsync("m", null, default)).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Waiting_for_release_times_out_while_the_claim_is_held(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        using var held = await stores.Idempotency(0).ClaimAsync("m", null, default);

        await Assert.ThrowsAsync<TimeoutException>(() => stores.Idempotency(1).WaitForReleaseAsync("m", TimeSpan.FromMilliseconds(300), default).WaitAsync(StoreReplicas.Bound));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Waiting_for_release_of_an_unclaimed_message_ends_at_once(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);

        await stores.Idempotency(1).WaitForReleaseAsync("never-claimed", TimeSpan.FromMilliseconds(1), default).WaitAsync(StoreReplicas.Bound);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Progress_saved_by_one_replica_is_loaded_by_another_until_removed(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        var progress = SubmitProgress.Start(3);
        progress.Reference = 201;
        progress.SmscMessageIds[0] = "a1";
        progress.UnansweredSends[1] = 2;
        await stores.Progress(0).SaveAsync("m", progress, default);

        var loaded = await stores.Progress(1).LoadAsync("m", default);
        await stores.Progress(1).RemoveAsync("m", default);

        Assert.NotNull(loaded);
        Assert.Equal(201, loaded.Reference);
        Assert.Equal(new string?[] { "a1", null, null }, loaded.SmscMessageIds.AsEnumerable());
        Assert.Equal([0, 2, 0], loaded.UnansweredSends);
        Assert.Null(await stores.Progress(0).LoadAsync("m", default));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_claim_on_another_replica_carries_the_progress_an_earlier_attempt_recorded(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        using (var first = await stores.Idempotency(0).ClaimAsync("m", null, default))
        {
            Assert.Null(first.Progress);
            var progress = SubmitProgress.Start(2);
            progress.Reference = 77;
            progress.SmscMessageIds[0] = "a1";
            progress.UnansweredSends[1] = 1;
            await stores.Progress(0).SaveAsync("m", progress, default);
        }
        // The release is sent without waiting for Redis: the waiter is what observes it.
        await stores.Idempotency(1).WaitForReleaseAsync("m", StoreReplicas.Bound, default);

        using var second = await stores.Idempotency(1).ClaimAsync("m", null, default);

        Assert.Equal(IdempotencyClaimStatus.Claimed, second.Status);
        Assert.NotNull(second.Progress);
        Assert.Equal(77, second.Progress.Reference);
        Assert.Equal(new string?[] { "a1", null }, second.Progress.SmscMessageIds.AsEnumerable());
        Assert.Equal([0, 1], second.Progress.UnansweredSends);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_first_claim_records_its_first_send_and_a_later_claim_on_another_replica_carries_it(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        using (var first = await stores.Idempotency(0).ClaimAsync("m", SubmitProgress.FirstSend(1), default))
        {
            Assert.True(first.FirstSendRecorded);
            Assert.Null(first.Progress);
            // Counted with the claim, before any submit_sm: a crash from here on still counts the send.
            var recorded = await stores.Progress(1).LoadAsync("m", default);
            Assert.NotNull(recorded);
            Assert.Equal([1], recorded.UnansweredSends);
            Assert.Equal(new string?[] { null }, recorded.SmscMessageIds.AsEnumerable());
        }
        await stores.Idempotency(1).WaitForReleaseAsync("m", StoreReplicas.Bound, default);

        // A later attempt finds what the first one recorded and records nothing new.
        using var second = await stores.Idempotency(1).ClaimAsync("m", SubmitProgress.FirstSend(1), default);

        Assert.Equal(IdempotencyClaimStatus.Claimed, second.Status);
        Assert.False(second.FirstSendRecorded);
        Assert.NotNull(second.Progress);
        Assert.Equal([1], second.Progress.UnansweredSends);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_claim_that_finds_no_claim_free_records_no_first_send(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        using var held = await stores.Idempotency(0).ClaimAsync("m", null, default);

        var twin = await stores.Idempotency(1).ClaimAsync("m", SubmitProgress.FirstSend(1), default);

        Assert.Equal(IdempotencyClaimStatus.InFlight, twin.Status);
        Assert.False(twin.FirstSendRecorded);
        Assert.Null(await stores.Progress(0).LoadAsync("m", default));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Recording_the_outcome_forgets_the_progress(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        using (await stores.Idempotency(0).ClaimAsync("m", null, default))
        {
            await stores.Progress(0).SaveAsync("m", SubmitProgress.Start(1), default);
            await stores.Idempotency(0).CompleteAsync("m", Submitted("m"), default);
        }

        Assert.Null(await stores.Progress(1).LoadAsync("m", default));
        Assert.Equal(IdempotencyClaimStatus.Completed, (await stores.Idempotency(1).ClaimAsync("m", null, default)).Status);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Completing_a_claim_records_the_outcome_and_the_last_correlation_forgets_the_progress_and_releases_it(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        var lookup = stores.Correlations(1).FindAsync("instasent", "C9", StoreReplicas.Bound, default).AsTask();
        var claim = await stores.Idempotency(0).ClaimAsync("m", null, default);
        await stores.Progress(0).SaveAsync("m", SubmitProgress.Start(1), default);

        await claim.CompleteAsync(Submitted("m"), new AcceptedCorrelation("instasent", "C9", Correlation("m")));
        claim.Dispose();

        await stores.Idempotency(1).WaitForReleaseAsync("m", StoreReplicas.Bound, default);
        var twin = await stores.Idempotency(1).ClaimAsync("m", null, default);
        Assert.Equal(IdempotencyClaimStatus.Completed, twin.Status);
        Assert.Equivalent(Submitted("m"), twin.Outcome, strict: true);
        Assert.Null(await stores.Progress(1).LoadAsync("m", default));
        Assert.Equal("m", (await lookup.WaitAsync(StoreReplicas.Bound))?.MessageId);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task Only_a_claimed_claim_completes(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        using var held = await stores.Idempotency(0).ClaimAsync("m", null, default);
        var inFlight = await stores.Idempotency(1).ClaimAsync("m", null, default);

        Assert.Equal(IdempotencyClaimStatus.InFlight, inFlight.Status);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await inFlight.CompleteAsync(Submitted("m"), null));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task An_accepted_segment_is_recorded_with_its_correlation_and_wakes_a_waiting_lookup_on_another_replica(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        var lookup = stores.Correlations(1).FindAsync("instasent", "B2", StoreReplicas.Bound, default).AsTask();
        var progress = SubmitProgress.Start(3);
        progress.SmscMessageIds[1] = "b2";

        await stores.Progress(0).SaveAcceptedAsync("m", progress, new AcceptedCorrelation("instasent", "B2", Correlation("m")), default);
        await stores.Progress(0).SaveAcceptedAsync("n", SubmitProgress.Start(1), null, default);

        Assert.Equal(("m", 2), (await lookup.WaitAsync(StoreReplicas.Bound)) is { } found ? (found.MessageId, found.Segment) : default);
        Assert.Equal(new string?[] { null, "b2", null }, (await stores.Progress(1).LoadAsync("m", default))!.SmscMessageIds.AsEnumerable());
        Assert.NotNull(await stores.Progress(1).LoadAsync("n", default));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_correlation_added_by_one_replica_is_found_by_another(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        var added = Correlation("m1");
        await stores.Correlations(0).AddAsync("instasent", "ABC", added);

        var found = await stores.Correlations(1).FindAsync("instasent", "ABC", TimeSpan.Zero, default);

        Assert.NotNull(found);
        Assert.Equal((added.MessageId, added.Segment, added.Segments, added.SubmittedAt), (found.MessageId, found.Segment, found.Segments, found.SubmittedAt));
        Assert.Equal(added.Metadata, found.Metadata);
        Assert.Equal((added.SubmitContext.TraceId, added.SubmitContext.SpanId, added.SubmitContext.TraceFlags), (found.SubmitContext.TraceId, found.SubmitContext.SpanId, found.SubmitContext.TraceFlags));
        Assert.Null(await stores.Correlations(1).FindAsync("other-connection", "ABC", TimeSpan.Zero, default));
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_lookup_started_before_the_add_on_another_replica_finds_it(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);
        var lookup = stores.Correlations(1).FindAsync("instasent", "42", StoreReplicas.Bound, default).AsTask();

        await stores.Correlations(0).AddAsync("instasent", "42", Correlation("early"));

        Assert.Equal("early", (await lookup.WaitAsync(StoreReplicas.Bound))?.MessageId);
    }

    [Theory, MemberData(nameof(Providers))]
    public async Task A_lookup_gives_up_after_its_wait(string provider)
    {
        await using var stores = await StoreReplicas.CreateAsync(provider, redis);

        Assert.Null(await stores.Correlations(1).FindAsync("instasent", "never", TimeSpan.FromMilliseconds(300), default).AsTask().WaitAsync(StoreReplicas.Bound));
    }
}
