using System.Diagnostics;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Stores;
using Microsoft.Extensions.Time.Testing;

namespace Instasent.SmppAdapter.Tests.Stores;

public sealed class StoreTests
{
    private static readonly SendingOptions Options = new() { StoreRetention = TimeSpan.FromHours(72), IdempotencyMaxEntries = 3, CorrelationMaxEntries = 3 };

    private static InMemoryIdempotencyStore Idempotency(TimeProvider time)
    {
        var correlations = new InMemoryCorrelationStore(Options, time);
        return new InMemoryIdempotencyStore(Options, new InMemorySubmitProgressStore(Options, correlations, time), correlations, time);
    }

    private static SegmentCorrelation Correlation(string messageId) => new()
    {
        MessageId = messageId, Segment = 1, Segments = 1, SubmittedAt = DateTimeOffset.UnixEpoch,
        SubmitContext = new ActivityContext(ActivityTraceId.CreateRandom(), ActiveSpanId(), ActivityTraceFlags.Recorded),
    };

    private static ActivitySpanId ActiveSpanId() => ActivitySpanId.CreateRandom();

    [Fact]
    public async Task A_known_outcome_is_returned_to_a_later_claim()
    {
        var store = Idempotency(new FakeTimeProvider());
        var outcome = new SmsSubmitted { MessageId = "m", SmscMessageIds = ["1"], Segments = 1, Connection = "c", SessionId = "s", SubmittedAt = default };
        using (var claim = await store.ClaimAsync("m", null, default))
        {
            Assert.Equal(IdempotencyClaimStatus.Claimed, claim.Status);
            await store.CompleteAsync("m", outcome, default);
        }
        var again = await store.ClaimAsync("m", null, default);
        Assert.Equal(IdempotencyClaimStatus.Completed, again.Status);
        // Kept compact, returned as the event it was.
        Assert.Equivalent(outcome, again.Outcome, strict: true);
    }

    [Fact]
    public async Task Outcomes_kept_compact_come_back_whole()
    {
        var store = Idempotency(new FakeTimeProvider());
        var at = new DateTimeOffset(2026, 12, 2, 7, 8, 9, 123, TimeSpan.FromHours(2)).AddTicks(4567);
        var metadata = new Dictionary<string, string> { ["campaign"] = "c1" };
        object[] outcomes =
        [
            new SmsSubmitted { MessageId = "one", SmscMessageIds = ["a1"], Segments = 1, Connection = "c", SessionId = "s1", SubmittedAt = at, Metadata = metadata },
            new SmsSubmitted { MessageId = "three", SmscMessageIds = ["b1", "b2", "b3"], Segments = 3, Connection = "c", SessionId = "s2", SubmittedAt = at },
            // Not what the adapter publishes (segments always match the ids), kept as it is.
            new SmsSubmitted { MessageId = "odd", SmscMessageIds = ["x"], Segments = 2, Connection = "c", SessionId = "s", SubmittedAt = at },
            new SmsRejected { MessageId = "rejected", Code = "invalid_input", Reason = "r", Permanent = true, Connection = "c", RejectedAt = at },
        ];
        foreach (var outcome in outcomes)
        {
            var id = outcome is SmsSubmitted s ? s.MessageId : ((SmsRejected)outcome).MessageId;
            await store.CompleteAsync(id, outcome, default);
            var kept = (await store.ClaimAsync(id, null, default)).Outcome;
            Assert.Equivalent(outcome, kept, strict: true);
            Assert.Equal(at, kept is SmsSubmitted k ? k.SubmittedAt : ((SmsRejected)kept!).RejectedAt);
            Assert.Equal(at.Offset, kept is SmsSubmitted k2 ? k2.SubmittedAt.Offset : ((SmsRejected)kept!).RejectedAt.Offset);
        }
    }

    [Fact]
    public async Task Correlations_kept_compact_come_back_whole_with_the_trace_context_of_a_sampled_submit()
    {
        var store = new InMemoryCorrelationStore(Options, new FakeTimeProvider());
        var at = new DateTimeOffset(2026, 12, 2, 7, 8, 9, TimeSpan.FromHours(-5)).AddTicks(89);
        SegmentCorrelation[] correlations =
        [
            new() { MessageId = "m1", Segment = 2, Segments = 3, SubmittedAt = at, Metadata = new Dictionary<string, string> { ["k"] = "v" } },
            Correlation("m2") with { SubmittedAt = at },
        ];
        for (var i = 0; i < correlations.Length; i++)
        {
            await store.AddAsync("c", i.ToString(System.Globalization.CultureInfo.InvariantCulture), correlations[i]);
            var kept = await store.FindAsync("c", i.ToString(System.Globalization.CultureInfo.InvariantCulture), TimeSpan.Zero, default);
            Assert.Equal(correlations[i], kept);
            Assert.Equal(at.Offset, kept!.SubmittedAt.Offset);
        }
    }

    [Fact]
    public async Task A_second_copy_sees_the_first_in_flight_until_it_is_released()
    {
        var store = Idempotency(new FakeTimeProvider());
        var first = await store.ClaimAsync("m", null, default);
        Assert.Equal(IdempotencyClaimStatus.InFlight, (await store.ClaimAsync("m", null, default)).Status);
        first.Dispose();
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.ClaimAsync("m", null, default)).Status);
    }

    [Fact]
    public async Task Outcomes_expire_after_the_retention()
    {
        var time = new FakeTimeProvider();
        var store = Idempotency(time);
        await store.CompleteAsync("m", new object(), default);
        time.Advance(TimeSpan.FromHours(72) - TimeSpan.FromSeconds(1));
        Assert.Equal(IdempotencyClaimStatus.Completed, (await store.ClaimAsync("m", null, default)).Status);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.ClaimAsync("m", null, default)).Status);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task Outcomes_are_bounded_dropping_the_oldest()
    {
        var store = Idempotency(new FakeTimeProvider());
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            await store.CompleteAsync(id, new object(), default);
        }
        Assert.Equal(3, store.Count);
        Assert.Equal(IdempotencyClaimStatus.Claimed, (await store.ClaimAsync("a", null, default)).Status);
        Assert.Equal(IdempotencyClaimStatus.Completed, (await store.ClaimAsync("d", null, default)).Status);
    }

    [Fact]
    public async Task Correlations_are_keyed_by_connection_and_id_and_expire()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryCorrelationStore(Options, time);
        await store.AddAsync("c1", "ABC", Correlation("m1"));
        Assert.Equal("m1", (await store.FindAsync("c1", "ABC", TimeSpan.Zero, default))!.MessageId);
        Assert.Null(await store.FindAsync("c2", "ABC", TimeSpan.Zero, default));
        time.Advance(TimeSpan.FromHours(72));
        Assert.Null(await store.FindAsync("c1", "ABC", TimeSpan.Zero, default));
    }

    [Fact]
    public async Task Correlations_are_bounded()
    {
        var store = new InMemoryCorrelationStore(Options, new FakeTimeProvider());
        for (var i = 0; i < 10; i++)
        {
            await store.AddAsync("c", i.ToString(System.Globalization.CultureInfo.InvariantCulture), Correlation("m"));
        }
        Assert.Equal(3, store.Count);
    }

    [Fact]
    public async Task A_receipt_arriving_before_its_submit_response_is_matched_when_the_id_is_added_within_the_wait()
    {
        var store = new InMemoryCorrelationStore(Options, TimeProvider.System);
        var lookup = store.FindAsync("c", "42", TimeSpan.FromSeconds(10), default).AsTask();
        Assert.False(lookup.IsCompleted);
        await store.AddAsync("c", "42", Correlation("early"));
        Assert.Equal("early", (await lookup.WaitAsync(TimeSpan.FromSeconds(10)))!.MessageId);
    }

    [Fact]
    public async Task A_lookup_gives_up_after_its_wait()
    {
        var time = new FakeTimeProvider();
        var store = new InMemoryCorrelationStore(Options, time);
        var lookup = store.FindAsync("c", "never", TimeSpan.FromSeconds(2), default).AsTask();
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Null(await lookup.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
