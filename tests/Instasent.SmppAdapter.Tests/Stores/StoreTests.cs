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
        Assert.Same(outcome, again.Outcome);
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
