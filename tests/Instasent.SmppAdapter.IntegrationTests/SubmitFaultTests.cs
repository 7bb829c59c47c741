using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Simulator;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>
/// Issue #10's four SMSC behaviours, one command each against the scripted simulator on a real broker: every submit ends
/// in exactly one outcome, no segment goes out more than 1 + <c>MaxUnknownOutcomeResends</c> times, and nothing is left
/// to MassTransit's error queue.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class SubmitFaultTests(RabbitMqBroker broker)
{
    private const string ConnectionQueue = "smpp-send-sms.instasent";
    private const string ErrorQueue = ConnectionQueue + "_error";
    private const string Destination = "34612345678";

    /// <summary>The adapter's default <c>Adapter:MaxUnknownOutcomeResends</c>: each segment goes out at most 3 times.</summary>
    private const int MaxSends = 1 + 2;

    [Fact]
    public async Task An_undecodable_submit_sm_resp_is_sent_at_most_1_plus_MaxUnknownOutcomeResends_times_and_ends_in_one_unknown_outcome()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);
        run.Smsc.Faults.OverlongMessageIds = true;
        var command = Command("overlong", segments: 1);

        await run.Bus.PublishAsync(command);

        var rejected = await OnlyOutcomeAsync<SmsRejected>(run);
        Assert.Equal(RejectionCodes.UnknownOutcome, rejected.Code);
        Assert.False(rejected.Permanent);
        // Exactly the bound: every undecodable answer was taken as "unknown", resent, and the third ended it.
        Assert.Equal(MaxSends, run.Smsc.AcceptedCount(new SegmentKey(Destination, null, 1)));
        Assert.Empty(run.Bus.Of<SmsSubmitted>());
    }

    [Fact]
    public async Task A_slow_SMSC_gets_segment_1_at_most_1_plus_MaxUnknownOutcomeResends_times_with_one_reference_across_hand_backs()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker, new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:ResponseTimeout"] = "00:00:00.200",
            // A budget shorter than the three timeouts the sends take: the command is handed back between sends, so the
            // count has to survive the trips through the broker.
            ["Adapter:RetryBudget"] = "00:00:00.300",
        });
        run.Smsc.Faults.ResponseDelay = TimeSpan.FromSeconds(2);
        var command = Command("slow", segments: 2);

        await run.Bus.PublishAsync(command);

        var rejected = await OnlyOutcomeAsync<SmsRejected>(run);
        Assert.Equal(RejectionCodes.UnknownOutcome, rejected.Code);
        Assert.Null(rejected.AcceptedSegments);
        var accepted = run.Smsc.AcceptedSegments().Where(s => s.DestinationAddr == Destination).ToList();
        var first = Assert.Single(accepted);
        Assert.Equal(1, first.Segment);
        Assert.NotNull(first.Reference);
        Assert.Equal(MaxSends, first.Accepted);
    }

    [Fact]
    public async Task A_segment_refused_after_another_was_accepted_ends_in_one_SmsRejected_naming_the_accepted_segment_and_its_receipt_agrees()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);
        run.Smsc.Faults.RefuseSegment = 2;
        run.Smsc.Faults.RefuseSegmentStatus = CommandStatus.ESME_RINVDSTADR;
        var command = Command("partial", segments: 3);

        await run.Bus.PublishAsync(command);

        var rejected = await OnlyOutcomeAsync<SmsRejected>(run);
        var segment1 = Assert.Single(run.AcceptedSubmits);
        Assert.Equal(RejectionCodes.SmscRefused, rejected.Code);
        Assert.True(rejected.Permanent);
        Assert.Equal((int)CommandStatus.ESME_RINVDSTADR, rejected.CommandStatus);
        Assert.Equal("ESME_RINVDSTADR", rejected.CommandStatusName);
        Assert.Equal([new AcceptedSegment { Segment = 1, SmscMessageId = segment1.MessageId }], rejected.AcceptedSegments);
        Assert.Equal(0, run.Smsc.AcceptedCount(SegmentKey.Of(segment1.Pdu) with { Segment = 3 }));
        // The receipt names the segment the rejection listed as accepted: the two events tell one story.
        await run.UntilAsync(() => run.Bus.Of<SmsDeliveryReported>().Any(r => r.SmscMessageId == segment1.MessageId), "the receipt for segment 1");
        var receipt = run.Bus.Of<SmsDeliveryReported>().Single(r => r.SmscMessageId == segment1.MessageId);
        Assert.Equal((command.MessageId, 1, 3), (receipt.MessageId, receipt.Segment, receipt.Segments));
    }

    [Fact]
    public async Task Submits_answered_generic_nack_ESME_RTHROTTLED_are_resent_and_every_command_ends_SmsSubmitted()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);
        const int nacks = 6;
        run.Smsc.Faults.GenericNackNext = nacks;
        var segments = Enumerable.Range(0, 10).Select(i => 1 + i % 2).ToList();
        var commands = segments.Select((n, i) => Command($"nacked-{i}", n) with { To = $"+3462{i:D7}" }).ToList();

        await run.Bus.PublishManyAsync(commands);

        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count + run.Bus.Of<SmsRejected>().Count >= commands.Count, "an outcome for every command");
        Assert.Empty(run.Bus.Of<SmsRejected>());
        Assert.Equal(commands.Select(c => c.MessageId).Order(), run.Bus.Of<SmsSubmitted>().Select(s => s.MessageId).Order());
        Assert.Equal(nacks, run.Smsc.Stats.GenericNacksSent);
        // A generic_nack is not an acceptance: every segment was accepted once, after its nacks.
        Assert.All(run.Smsc.AcceptedSegments(), s => Assert.Equal(1, s.Accepted));
        Assert.Equal(segments.Sum(), run.AcceptedSubmits.Count);
    }

    /// <summary>
    /// Waits for the one outcome of the run's one command, then for its queue and error queue to be empty: a second
    /// outcome could only come from a redelivery, and there is nothing left to redeliver.
    /// </summary>
    private static async Task<T> OnlyOutcomeAsync<T>(AdapterOnBroker run) where T : class
    {
        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count + run.Bus.Of<SmsRejected>().Count >= 1, $"a {typeof(T).Name}");
        await run.UntilAsync(async () => await run.Bus.MessageCountAsync(ConnectionQueue) == 0, "the connection queue drained");
        Assert.Equal(0u, await run.Bus.MessageCountAsync(ErrorQueue));
        Assert.Equal(1, run.Bus.Of<SmsSubmitted>().Count + run.Bus.Of<SmsRejected>().Count);
        return Assert.Single(run.Bus.Of<T>());
    }

    /// <summary>GSM 7-bit text of exactly <paramref name="segments"/> segments (more than 160 septets go in 153-septet segments).</summary>
    private static SendSms Command(string messageId, int segments) => new()
    {
        MessageId = messageId,
        From = "Instasent",
        To = "+" + Destination,
        Text = segments == 1 ? messageId : new string('s', 153 * segments - 1),
    };
}
