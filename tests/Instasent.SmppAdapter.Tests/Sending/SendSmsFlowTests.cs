using System.Globalization;
using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Simulator;

namespace Instasent.SmppAdapter.Tests.Sending;

/// <summary>Commands through the in-memory bus, the real pool and the in-process simulator over loopback sockets.</summary>
public sealed class SendSmsFlowTests
{
    private static SendSms Command(string id, string text = "Hello") => new()
    {
        MessageId = id, From = "Instasent", To = "+34600000001", Text = text,
        Metadata = new Dictionary<string, string> { ["tenant"] = "t1" },
    };

    [Fact]
    public async Task Submit_is_published_as_SmsSubmitted_with_one_smsc_id_per_segment_in_order()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        await adapter.SendAsync(Command("long-1", new string('x', 200)));

        var submitted = await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "long-1");
        Assert.Equal(2, submitted.Segments);
        var received = adapter.Smsc.RecentSubmits().Where(s => s.DestinationAddr == "34600000001").ToList();
        Assert.Equal(received.Select(r => r.MessageId), submitted.SmscMessageIds);
        Assert.Equal("instasent", submitted.Connection);
        Assert.Equal("t1", submitted.Metadata!["tenant"]);
        // Same UDH reference on both segments, sequence 1 then 2 (TS 23.040 §9.2.3.24.1).
        Assert.Equal(received[0].ShortMessage.Span[3], received[1].ShortMessage.Span[3]);
        Assert.Equal(new byte[] { 1, 2 }, received.Select(r => r.ShortMessage.Span[5]).ToArray());
    }

    [Fact]
    public async Task Receipt_is_reported_matched_to_its_message_segment_and_metadata()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        await adapter.SendAsync(Command("dlr-1"));
        var submitted = await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "dlr-1");

        var report = await adapter.PublishedAsync<SmsDeliveryReported>(m => m.SmscMessageId == submitted.SmscMessageIds[0]);
        Assert.Equal("dlr-1", report.MessageId);
        Assert.Equal((1, 1), (report.Segment, report.Segments));
        Assert.Equal("DELIVRD", report.Status);
        Assert.Equal("t1", report.Metadata!["tenant"]);
    }

    [Fact]
    public async Task Receipt_ids_in_another_base_are_matched_through_MessageIdFormat()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(
            new Dictionary<string, string?> { ["Smpp:Connections:0:MessageIdFormat"] = "HexToDecimal" },
            new SimulatorOptions { MessageIdFormat = SimulatorMessageIdFormat.HexInResponseDecimalInReceipt, FirstMessageId = 0xABCDEF });
        await adapter.SendAsync(Command("hex-1"));
        var report = await adapter.PublishedAsync<SmsDeliveryReported>();
        Assert.Equal("hex-1", report.MessageId);
    }

    [Fact]
    public async Task Bad_input_is_rejected_permanently_and_never_reaches_the_SMSC()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        await adapter.SendAsync(Command("bad-1") with { To = "12" });

        var rejected = await adapter.PublishedAsync<SmsRejected>(m => m.MessageId == "bad-1");
        Assert.True(rejected.Permanent);
        Assert.StartsWith("to must be an E.164 number", rejected.Reason, StringComparison.Ordinal);
        Assert.Null(rejected.CommandStatus);
        Assert.Equal("t1", rejected.Metadata!["tenant"]);
        Assert.Equal(0, adapter.Smsc.Stats.SubmitsAccepted);
    }

    [Fact]
    public async Task SMSC_refusal_for_certain_is_SmsRejected_permanent_with_the_status_and_its_name()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        // Our rule allows a 2-character sender; Instasent (and the simulator) want 3 to 11.
        await adapter.SendAsync(Command("refused-1") with { From = "AB" });

        var rejected = await adapter.PublishedAsync<SmsRejected>(m => m.MessageId == "refused-1");
        Assert.True(rejected.Permanent);
        Assert.Equal((int)CommandStatus.ESME_RINVSRCADR, rejected.CommandStatus);
        Assert.Equal("ESME_RINVSRCADR", rejected.CommandStatusName);
        Assert.Contains("ESME_RINVSRCADR (0x0A)", rejected.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_is_retried_when_smsc_answers_ESME_RMSGQFUL_and_eventually_submitted()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        adapter.Smsc.Faults.QueueFull = true;
        await adapter.SendAsync(Command("full-1"));
        await adapter.UntilAsync(() => adapter.Smsc.Stats.SubmitsRefused.GetValueOrDefault("ESME_RMSGQFUL") >= 2, "two ESME_RMSGQFUL answers");
        adapter.Smsc.Faults.QueueFull = false;

        var submitted = await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "full-1");
        Assert.Single(submitted.SmscMessageIds);
        Assert.False(adapter.Published<SmsRejected>().Any());
    }

    [Fact]
    public async Task Redelivered_command_with_a_known_outcome_is_not_submitted_twice_but_its_outcome_is_published_again()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        await adapter.SendAsync(Command("dup-1"));
        var first = await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "dup-1");
        await adapter.SendAsync(Command("dup-1"));

        await adapter.UntilAsync(() => adapter.Published<SmsSubmitted>().Where(m => m.MessageId == "dup-1").Count() == 2, "the outcome published again");
        Assert.Equal(1, adapter.Smsc.Stats.SubmitsAccepted);
        var again = adapter.Published<SmsSubmitted>().Where(m => m.MessageId == "dup-1").Last();
        Assert.Equal(first.SmscMessageIds, again.SmscMessageIds);
    }

    [Fact]
    public async Task While_no_session_is_bound_the_connection_queue_is_not_consumed_nothing_is_rejected_and_commands_go_out_once_it_binds()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        adapter.Smsc.Faults.RefuseBindsUntil = DateTimeOffset.UtcNow.AddMinutes(5);
        await adapter.Smsc.DropAllConnectionsAsync();
        await adapter.UntilAsync(() => !adapter.Gate.IsOpen("instasent"), "the connection queue closed");

        await adapter.SendAsync(Command("outage-1"));
        await adapter.UntilAsync(() => adapter.Sent<SendSms>().Any(s => s.Message.MessageId == "outage-1"), "the command routed to its connection queue");
        // Time passing is measured by the adapter's own refused bind attempts, not by a sleep.
        var attempts = adapter.Pool.Connections.Single().BindAttempts;
        await adapter.UntilAsync(() => adapter.Pool.Connections.Single().BindAttempts >= attempts + 2, "two more refused binds");
        Assert.Equal(0, adapter.Smsc.Stats.SubmitsAccepted);
        Assert.Empty(adapter.Published<SmsRejected>());
        Assert.False(adapter.Gate.IsOpen("instasent"));

        adapter.Smsc.Faults.RefuseBindsUntil = null;
        var submitted = await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "outage-1");
        Assert.NotEmpty(submitted.SmscMessageIds);
        Assert.Empty(adapter.Published<SmsRejected>());
    }

    [Fact]
    public async Task Long_inbound_message_is_published_once_reassembled()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        var text = string.Concat(Enumerable.Repeat("Inbound part text. ", 12));
        var injected = await adapter.Smsc.InjectMoAsync("myuser", "+34600000009", "12345", text);
        Assert.Equal(2, injected.Segments.Count);

        var inbound = await adapter.PublishedAsync<InboundSmsReceived>();
        Assert.Equal(text, inbound.Text);
        Assert.Equal(2, inbound.Segments);
        Assert.Equal("instasent", inbound.Connection);
        await injected.Delivered.WaitAsync(AdapterUnderTest.Wait);
        Assert.Equal(2, adapter.Smsc.Stats.MoAcknowledged);
    }

    [Fact]
    public async Task Short_inbound_message_is_published()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        await adapter.Smsc.InjectMoAsync("myuser", "+34600000009", "12345", "Hola €");
        var inbound = await adapter.PublishedAsync<InboundSmsReceived>();
        Assert.Equal("Hola €", inbound.Text);
        Assert.Equal(1, inbound.Segments);
    }

    [Fact]
    public async Task Throttling_beyond_the_retry_budget_hands_the_command_back_to_its_queue_instead_of_rejecting_it()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(new Dictionary<string, string?> { ["Adapter:RetryBudget"] = "00:00:00.300" });
        adapter.Smsc.Faults.QueueFull = true;
        await adapter.SendAsync(Command("budget-1"));

        await adapter.UntilAsync(() => adapter.Sent<SendSms>().Any(m =>
            m.Message.MessageId == "budget-1" && m.Headers.Get<int>(Instasent.SmppAdapter.Sending.HandBacks.CountHeader) >= 1), "a hand-back");
        adapter.Smsc.Faults.QueueFull = false;

        await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "budget-1");
        Assert.False(adapter.Published<SmsRejected>().Any());
    }

    [Fact]
    public async Task A_command_handed_back_MaxHandBacks_times_ends_in_SmsRejected_not_permanent_on_the_next_attempt()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Adapter:RetryBudget"] = "00:00:00.200",
            ["Adapter:MaxHandBacks"] = "2",
        });
        adapter.Smsc.Faults.QueueFull = true;
        await adapter.SendAsync(Command("handbacks-1"));

        var rejected = await adapter.PublishedAsync<SmsRejected>(m => m.MessageId == "handbacks-1");
        Assert.False(rejected.Permanent);
        Assert.Null(rejected.CommandStatus);
        Assert.Contains("after 3 attempts (handed back 2 times, the most Adapter:MaxHandBacks allows)", rejected.Reason);
        Assert.Contains("retry budget", rejected.Reason);
        Assert.Equal(new Dictionary<string, string> { ["tenant"] = "t1" }, rejected.Metadata);
        // Handed back with counts 1 and 2, then no more: the third attempt decided.
        Assert.Equal([1, 2], HandBackCounts(adapter, "handbacks-1"));
        Assert.Empty(adapter.Published<SmsSubmitted>());
        Assert.Single(adapter.Published<SmsRejected>());
    }

    [Fact]
    public async Task Hand_backs_on_shutdown_do_not_count_toward_MaxHandBacks()
    {
        // MaxHandBacks 0: any counted hand-back would reject at once.
        await using var adapter = await AdapterUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Adapter:RetryBudget"] = "00:01:00",
            ["Adapter:MaxHandBacks"] = "0",
        });
        adapter.Smsc.Faults.QueueFull = true;
        await adapter.SendAsync(Command("stopping-1"));
        await adapter.UntilAsync(() => adapter.Smsc.Stats.SubmitsRefused.GetValueOrDefault("ESME_RMSGQFUL") > 0, "the SMSC refusing the submit");

        await adapter.Host.StopAsync().WaitAsync(AdapterUnderTest.Wait);

        await adapter.UntilAsync(() => HandBackCounts(adapter, "stopping-1").Count >= 1, "the command handed back on shutdown");
        // A copy handed back may be consumed again before the queue stops; it goes back again, still uncounted.
        Assert.All(HandBackCounts(adapter, "stopping-1"), count => Assert.Equal(0, count));
        Assert.Empty(adapter.Published<SmsRejected>());
    }

    [Fact]
    public async Task An_undecodable_submit_sm_resp_is_an_unknown_outcome_resent_MaxUnknownOutcomeResends_times_then_SmsRejected()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(new Dictionary<string, string?> { ["Adapter:MaxUnknownOutcomeResends"] = "1" });
        adapter.Smsc.Faults.OverlongMessageIds = true;
        await adapter.SendAsync(Command("overlong-1"));

        var rejected = await adapter.PublishedAsync<SmsRejected>(m => m.MessageId == "overlong-1");
        Assert.Equal(RejectionCodes.UnknownOutcome, rejected.Code);
        Assert.Equal(2, adapter.Smsc.AcceptedCount(new SegmentKey("34600000001", null, 1)));
        Assert.Empty(adapter.Published<SmsSubmitted>());
    }

    [Fact]
    public async Task A_slow_SMSC_gets_each_unanswered_segment_at_most_1_plus_MaxUnknownOutcomeResends_times_in_all_hand_backs_included()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:ResponseTimeout"] = "00:00:00.500",
            // Shorter than the three sends' timeouts together: the sends are spread over hand-backs. (At 150/200 ms a
            // loaded CI machine once fitted all three into one attempt: the margins are a few hundred ms now.)
            ["Adapter:RetryBudget"] = "00:00:00.700",
        });
        adapter.Smsc.Faults.ResponseDelay = TimeSpan.FromSeconds(5);
        await adapter.SendAsync(Command("slow-1", new string('x', 200)));

        var rejected = await adapter.PublishedAsync<SmsRejected>(m => m.MessageId == "slow-1");
        Assert.Equal(RejectionCodes.UnknownOutcome, rejected.Code);
        Assert.NotEmpty(HandBackCounts(adapter, "slow-1"));
        var segment1 = Assert.Single(adapter.Smsc.AcceptedSegments());
        Assert.Equal((1, 3), (segment1.Segment, segment1.Accepted));
    }

    [Fact]
    public async Task A_refusal_after_an_accepted_segment_names_that_segment_and_its_smsc_message_id()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        adapter.Smsc.Faults.RefuseSegment = 2;
        await adapter.SendAsync(Command("partial-1", new string('x', 400)));

        var rejected = await adapter.PublishedAsync<SmsRejected>(m => m.MessageId == "partial-1");
        Assert.Equal(RejectionCodes.SmscRefused, rejected.Code);
        Assert.Equal("ESME_RINVDSTADR", rejected.CommandStatusName);
        Assert.Equal([new AcceptedSegment { Segment = 1, SmscMessageId = adapter.Smsc.RecentSubmits().Single().MessageId }], rejected.AcceptedSegments);
    }

    [Fact]
    public async Task Submit_answered_generic_nack_ESME_RTHROTTLED_is_resent_and_submitted_not_rejected()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        adapter.Smsc.Faults.GenericNackNext = 2;
        await adapter.SendAsync(Command("nack-1"));

        var submitted = await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "nack-1");
        Assert.Single(submitted.SmscMessageIds);
        Assert.Equal(2, adapter.Smsc.Stats.GenericNacksSent);
        Assert.Empty(adapter.Published<SmsRejected>());
    }

    /// <summary>The hand-back count header of each hand-back of <paramref name="messageId"/>, in order.</summary>
    private static List<int> HandBackCounts(AdapterUnderTest adapter, string messageId) =>
        adapter.Sent<SendSms>()
            .Where(m => m.Message.MessageId == messageId)
            .Select(m => m.Headers.TryGetHeader(Instasent.SmppAdapter.Sending.HandBacks.CountHeader, out var count) ? Convert.ToInt32(count, CultureInfo.InvariantCulture) : (int?)null)
            .OfType<int>()
            .ToList();
}
