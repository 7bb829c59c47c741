using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;
using Microsoft.Extensions.Time.Testing;

namespace Instasent.SmppAdapter.Simulator.Tests;

public class SimulatorFaultTests
{
    [Fact]
    public async Task Submits_over_MaxSubmitsPerSecond_are_answered_ESME_RTHROTTLED_until_the_second_has_passed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z"));
        await using var simulator = await Sim.StartAsync(Sim.Options() with { TimeProvider = time });
        simulator.Faults.MaxSubmitsPerSecond = 5;
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());

        var burst = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.SubmitAsync(Sim.Submit(registeredDelivery: 0))));
        time.Advance(TimeSpan.FromSeconds(1));
        var later = await client.SubmitAsync(Sim.Submit(registeredDelivery: 0));

        Assert.Equal(5, burst.Count(r => r.CommandStatus == CommandStatus.ESME_ROK));
        Assert.Equal(3, burst.Count(r => r.CommandStatus == CommandStatus.ESME_RTHROTTLED));
        Assert.Equal(CommandStatus.ESME_ROK, later.CommandStatus);
        Assert.Equal(3, simulator.Stats.SubmitsRefused["ESME_RTHROTTLED"]);
    }

    [Fact]
    public async Task Submits_are_answered_ESME_RMSGQFUL_while_the_queue_is_full()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());

        simulator.Faults.QueueFull = true;
        Assert.Equal(CommandStatus.ESME_RMSGQFUL, (await client.SubmitAsync(Sim.Submit())).CommandStatus);
        simulator.Faults.Reset();
        Assert.Equal(CommandStatus.ESME_ROK, (await client.SubmitAsync(Sim.Submit())).CommandStatus);
    }

    [Fact]
    public async Task Submit_responses_are_held_back_by_ResponseDelay()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z"));
        await using var simulator = await Sim.StartAsync(Sim.Options() with { TimeProvider = time });
        simulator.Faults.ResponseDelay = TimeSpan.FromSeconds(5);
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());

        var sequence = await client.SendAsync(Sim.Submit(registeredDelivery: 0));
        // The enquire_link sent after the submit is answered first; the held response waits for the clock.
        Assert.DoesNotContain(await client.ArrivedBeforeAnswerToAsync(new EnquireLink()), p => p is SubmitSmResp);
        time.Advance(TimeSpan.FromSeconds(5));

        var response = await client.ExpectAsync<SubmitSmResp>();
        Assert.Equal(sequence, response.SequenceNumber);
        Assert.Equal(CommandStatus.ESME_ROK, response.CommandStatus);
    }

    [Fact]
    public async Task Submit_responses_are_held_while_HoldResponses_is_set_and_all_sent_in_order_once_it_is_cleared()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        simulator.Faults.HoldResponses = true;

        var first = await client.SendAsync(Sim.Submit(registeredDelivery: 0));
        var second = await client.SendAsync(Sim.Submit(registeredDelivery: 0));
        // The enquire_link sent after the submits is answered, nothing before it: both answers are held, the messages accepted.
        Assert.DoesNotContain(await client.ArrivedBeforeAnswerToAsync(new EnquireLink()), p => p is SubmitSmResp);
        Assert.Equal(2, simulator.Stats.SubmitsAccepted);
        Assert.Equal(2, simulator.Stats.ResponsesHeld);

        simulator.Faults.HoldResponses = false;
        var answers = new[] { await client.ExpectAsync<SubmitSmResp>(), await client.ExpectAsync<SubmitSmResp>() };
        Assert.Equal(new[] { first, second }, answers.Select(a => a.SequenceNumber));
        Assert.All(answers, a => Assert.Equal(CommandStatus.ESME_ROK, a.CommandStatus));
        Assert.Equal(0, simulator.Stats.ResponsesHeld);
        // Cleared, the gate holds nothing more.
        Assert.Equal(CommandStatus.ESME_ROK, (await client.SubmitAsync(Sim.Submit(registeredDelivery: 0))).CommandStatus);
    }

    [Fact]
    public async Task Submits_are_never_answered_while_DropResponses_is_set_but_the_session_stays_up()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        simulator.Faults.DropResponses = true;

        await client.SendAsync(Sim.Submit());

        // The enquire_link sent after the submit is answered, nothing before it: the submit was swallowed, not delayed.
        Assert.DoesNotContain(await client.ArrivedBeforeAnswerToAsync(new EnquireLink()), p => p is SubmitSmResp);
        Assert.Equal(1, simulator.Stats.SubmitsUnanswered);
        Assert.Equal(0, simulator.Stats.SubmitsAccepted);
    }

    [Fact]
    public async Task Enquire_link_is_not_answered_while_IgnoreEnquireLink_is_set()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());
        simulator.Faults.IgnoreEnquireLink = true;

        await client.SendAsync(new EnquireLink());

        // The submit sent after the enquire_link is answered, with no enquire_link_resp before it.
        Assert.DoesNotContain(await client.ArrivedBeforeAnswerToAsync(Sim.Submit(registeredDelivery: 0)), p => p is EnquireLinkResp);
        Assert.Equal(0, simulator.Stats.EnquireLinksAnswered);
    }

    [Fact]
    public async Task The_connection_is_dropped_when_its_Nth_PDU_arrives_unanswered()
    {
        await using var simulator = await Sim.StartAsync();
        simulator.Faults.DropConnectionAfterPdus = 3;
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());
        Assert.IsType<EnquireLinkResp>(await client.RequestAsync(new EnquireLink()));

        await client.SendAsync(Sim.Submit());

        Assert.True(await client.ClosedWithinAsync(RawSmppClient.DefaultWait));
        Assert.DoesNotContain(client.Untaken(), p => p is SubmitSmResp);
        await SimulatorBindTests.WaitUntilAsync(() => simulator.Stats.ConnectionsDropped == 1 && simulator.Stats.BoundSessions == 0);
    }

    [Fact]
    public async Task SendMalformedPduNext_sends_one_undecodable_deliver_sm_that_keeps_the_stream_in_sync()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());
        simulator.Faults.SendMalformedPduNext = true;

        var response = await client.RequestAsync(new EnquireLink());

        var error = await client.ExpectAsync<PduDecodeError>();
        Assert.True(error.StreamInSync);
        Assert.Equal(CommandId.DeliverSm, error.CommandId);
        Assert.IsType<EnquireLinkResp>(response);
        Assert.False(simulator.Faults.SendMalformedPduNext);
        Assert.IsType<EnquireLinkResp>(await client.RequestAsync(new EnquireLink()));
        Assert.Equal(1, simulator.Stats.MalformedPdusSent);
    }

    [Fact]
    public async Task OverlongMessageIds_accepts_the_submit_but_answers_a_70_octet_message_id_that_does_not_decode()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        simulator.Faults.OverlongMessageIds = true;

        var sequence = await client.SendAsync(Sim.Submit(registeredDelivery: 0));

        var error = await client.ExpectAsync<PduDecodeError>();
        Assert.Equal(CommandId.SubmitSmResp, error.CommandId);
        Assert.Equal(sequence, error.SequenceNumber);
        Assert.Equal(CommandStatus.ESME_RINVMSGID, error.Status);
        Assert.Equal(1, simulator.Stats.SubmitsAccepted);
        Assert.Equal(70, simulator.RecentSubmits(1)[0].MessageId.Length);
    }

    [Fact]
    public async Task GenericNackNext_answers_that_many_submits_generic_nack_with_GenericNackStatus_then_behaves()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        simulator.Faults.GenericNackNext = 2;

        var answers = new List<Pdu>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await client.RequestAsync(Sim.Submit(registeredDelivery: 0)));
        }

        Assert.All(answers.Take(2), a => Assert.Equal(CommandStatus.ESME_RTHROTTLED, Assert.IsType<GenericNack>(a).CommandStatus));
        Assert.Equal(CommandStatus.ESME_ROK, Assert.IsType<SubmitSmResp>(answers[2]).CommandStatus);
        Assert.Equal(2, simulator.Stats.GenericNacksSent);
        Assert.Equal(1, simulator.Stats.SubmitsAccepted);
    }

    [Fact]
    public async Task GenericNackShare_of_one_answers_every_submit_generic_nack_with_the_status_set()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        simulator.Faults.Apply(new FaultSettings { GenericNackShare = 1, GenericNackStatus = CommandStatus.ESME_RMSGQFUL }, TimeProvider.System);

        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.RequestAsync(Sim.Submit(registeredDelivery: 0))));

        Assert.All(answers, a => Assert.Equal(CommandStatus.ESME_RMSGQFUL, Assert.IsType<GenericNack>(a).CommandStatus));
        Assert.Equal(0, simulator.Stats.SubmitsAccepted);
    }

    [Fact]
    public async Task RefuseSegment_refuses_only_that_segment_of_a_concatenated_SMS_and_counts_the_others_by_reference()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        simulator.Faults.RefuseSegment = 2;

        var answers = new List<CommandStatus>();
        for (byte segment = 1; segment <= 3; segment++)
        {
            answers.Add((await client.SubmitAsync(Segment(reference: 9, segment, total: 3))).CommandStatus);
        }

        var resent = await client.SubmitAsync(Segment(reference: 9, 1, total: 3));

        Assert.Equal([CommandStatus.ESME_ROK, CommandStatus.ESME_RINVDSTADR, CommandStatus.ESME_ROK], answers);
        Assert.Equal(CommandStatus.ESME_ROK, resent.CommandStatus);
        Assert.Equal(2, simulator.AcceptedCount(new SegmentKey("34676388300", 9, 1)));
        Assert.Equal(0, simulator.AcceptedCount(new SegmentKey("34676388300", 9, 2)));
        Assert.Equal([new SegmentCount("34676388300", 9, 1, 2), new SegmentCount("34676388300", 9, 3, 1)], simulator.AcceptedSegments());
    }

    [Fact]
    public async Task A_plain_message_is_counted_as_segment_1_without_a_reference()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());

        await client.SubmitAsync(Sim.Submit(registeredDelivery: 0));

        Assert.Equal(1, simulator.AcceptedCount(new SegmentKey("34676388300", null, 1)));
    }

    [Fact]
    public async Task DropAllConnections_closes_every_session()
    {
        await using var simulator = await Sim.StartAsync();
        await using var first = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());
        await using var second = await RawSmppClient.ConnectAsync(simulator.Port);
        await SimulatorBindTests.WaitUntilAsync(() => simulator.Stats.Connections == 2);

        await simulator.DropAllConnectionsAsync();

        Assert.True(await first.ClosedWithinAsync(RawSmppClient.DefaultWait));
        Assert.True(await second.ClosedWithinAsync(RawSmppClient.DefaultWait));
        Assert.Equal(0, simulator.Stats.Connections);
    }

    [Theory]
    [InlineData(typeof(QuerySm))]
    [InlineData(typeof(CancelSm))]
    [InlineData(typeof(ReplaceSm))]
    [InlineData(typeof(SubmitMulti))]
    [InlineData(typeof(DataSm))]
    [InlineData(typeof(DeliverSm))]
    public async Task PDUs_Instasent_does_not_support_get_generic_nack_ESME_RINVCMDID(Type pduType)
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());
        var pdu = (Pdu)Activator.CreateInstance(pduType)!;
        if (pdu is SubmitMulti multi)
        {
            multi.Destinations = [MultiDestination.Sme(Ton.International, Npi.Isdn, "34676388300")];
        }

        var response = await client.RequestAsync(pdu);

        Assert.IsType<GenericNack>(response);
        Assert.Equal(CommandStatus.ESME_RINVCMDID, response.CommandStatus);
    }

    [Fact]
    public async Task A_command_id_SMPP_does_not_define_gets_generic_nack_ESME_RINVCMDID_and_the_session_goes_on()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());

        await client.SendRawAsync(Convert.FromHexString("00000010" + "00000777" + "00000000" + "00000063"));

        var nack = await client.ExpectAsync<GenericNack>();
        Assert.Equal(0x63u, nack.SequenceNumber);
        Assert.Equal(CommandStatus.ESME_RINVCMDID, nack.CommandStatus);
        Assert.IsType<EnquireLinkResp>(await client.RequestAsync(new EnquireLink()));
    }

    [Fact]
    public async Task A_command_length_below_the_header_gets_generic_nack_ESME_RINVCMDLEN_and_the_connection_closes()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());

        await client.SendRawAsync(Convert.FromHexString("00000008" + "00000015" + "00000000" + "00000009"));

        Assert.Equal(CommandStatus.ESME_RINVCMDLEN, (await client.ExpectAsync<GenericNack>()).CommandStatus);
        Assert.True(await client.ClosedWithinAsync(RawSmppClient.DefaultWait));
    }

    private static SubmitSm Segment(byte reference, byte segment, byte total)
    {
        var submit = Sim.Submit(registeredDelivery: 0);
        submit.EsmClass = EsmClass.UdhIndicator;
        submit.ShortMessage = (byte[])[.. SimulatorSubmitTests.Udh8(reference, total, segment), 0x48, 0x49];
        return submit;
    }
}
