using System.Globalization;
using Instasent.Smpp.Messages;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Stores;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace Instasent.SmppAdapter.Tests.Stores;

/// <summary>Measures live heap: run alone, not beside tests allocating in parallel.</summary>
[CollectionDefinition(nameof(StoreFootprint), DisableParallelization = true)]
public sealed class StoreFootprint;

/// <summary>
/// What one completed command keeps in the in-memory stores for <c>StoreRetention</c> (the single replica's default):
/// its outcome for idempotency and, with a receipt asked for, its segment's correlation, each with the map entries that
/// hold them. This is what grows a replica's memory with the commands it has seen (the 250 MB after 100,000 commands of
/// issue #12; docs/performance.md), so it is bounded here as a figure, not a timing.
/// </summary>
[Collection(nameof(StoreFootprint))]
public sealed class StoreFootprintTests(ITestOutputHelper output)
{
    private const int Commands = 100_000;

    [Fact]
    public async Task A_completed_single_segment_command_with_a_receipt_keeps_at_most_500_bytes()
    {
        var options = new SendingOptions { StoreRetention = TimeSpan.FromHours(72) };
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var correlations = new InMemoryCorrelationStore(options, time);
        var idempotency = new InMemoryIdempotencyStore(options, new InMemorySubmitProgressStore(options, correlations, time), correlations, time);
        var normalizer = new MessageIdNormalizer(MessageIdFormat.AsIs);
        const string connection = "instasent", session = "instasent-1";
        var firstSmscId = DateTimeOffset.UnixEpoch.AddYears(56).ToUnixTimeSeconds() << 16;

        var before = GC.GetTotalMemory(forceFullCollection: true);
        for (var i = 0; i < Commands; i++)
        {
            // As MessageSubmitter and OutcomePublisher do for a single-segment command with registered_delivery, with
            // what each command brings that the stores then hold: its messageId as deserialized (a GUID's 36
            // characters), the SMSC's id as decoded (15 digits, as the simulator's).
            var messageId = Guid.NewGuid().ToString();
            var smscId = (firstSmscId + i).ToString(CultureInfo.InvariantCulture);
            using var claim = await idempotency.ClaimAsync(messageId, SubmitProgress.FirstSend(1), default);
            var smscMessageIds = new string?[] { smscId };
            var correlation = new AcceptedCorrelation(connection, normalizer.FromSubmitResponse(smscId), new SegmentCorrelation
            {
                MessageId = messageId, Segment = 1, Segments = 1, SubmittedAt = time.GetUtcNow(),
            });
            await claim.CompleteAsync(new SmsSubmitted
            {
                MessageId = messageId, SmscMessageIds = smscMessageIds!, Segments = 1, Connection = connection, SessionId = session,
                SubmittedAt = time.GetUtcNow(),
            }, correlation);
        }
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var perCommand = (after - before) / (double)Commands;
        output.WriteLine($"{perCommand:F0} bytes kept per command ({(after - before) / 1e6:F1} MB for {Commands:N0})");

        Assert.Equal(Commands, idempotency.Count);
        Assert.Equal(Commands, correlations.Count);
        Assert.InRange(perCommand, 0, 500);
        GC.KeepAlive(idempotency);
    }
}
