using System.Text;
using Instasent.Smpp.Messages;
using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Simulator;

namespace Instasent.SmppAdapter.Simulator.Tests;

public class SimulatorReceiptTests
{
    private static readonly DeliveryReceiptParser Parser = new();

    private static Func<DeliverSm, bool> IsReceipt => d => (d.EsmClass & EsmClass.MessageTypeMask) == EsmClass.SmscDeliveryReceipt;

    [Fact]
    public async Task A_receipt_arrives_after_the_delay_in_text_and_tlv_form()
    {
        await using var simulator = await Sim.StartAsync(Sim.Options() with { ReceiptDelay = TimeSpan.FromMilliseconds(200) });
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());
        var submittedAt = DateTime.UtcNow;

        var response = await client.SubmitAsync(Sim.Submit("Hello from the tests, longer than twenty"));
        var receipt = await client.ExpectAsync(IsReceipt);

        Assert.True(DateTime.UtcNow - submittedAt >= TimeSpan.FromMilliseconds(190));
        Assert.Equal(EsmClass.SmscDeliveryReceipt, receipt.EsmClass);
        Assert.Equal("34676388300", receipt.SourceAddr);
        Assert.Equal("Instasent", receipt.DestinationAddr);
        var text = Encoding.ASCII.GetString(receipt.ShortMessage.Span);
        Assert.Matches($@"^id:{response.MessageId} sub:001 dlvrd:001 submit date:\d{{10}} done date:\d{{10}} stat:DELIVRD err:000 text:Hello from the tests$", text);
        Assert.Equal(response.MessageId, receipt.Tlvs.ReceiptedMessageId);
        Assert.Equal((byte)MessageState.Delivered, receipt.Tlvs.MessageState);
        Assert.False(receipt.Tlvs.Contains(TlvTag.NetworkErrorCode));

        Assert.True(Parser.TryParse(receipt.EsmClass, text, null, null, default, out var parsed));
        Assert.Equal(MessageState.Delivered, parsed.State);
        Assert.Equal(response.MessageId, parsed.MessageId);
        await client.AnswerAsync(receipt);
        await SimulatorBindTests.WaitUntilAsync(() => simulator.Stats.ReceiptsAcknowledged == 1);
    }

    [Fact]
    public async Task Receipts_report_the_configured_mix_of_final_states_with_matching_error_codes()
    {
        var options = Sim.Options() with { ReceiptMix = ReceiptMix.Parse("DELIVRD=1,UNDELIV=1,EXPIRED=1,REJECTD=1") };
        await using var simulator = await Sim.StartAsync(options);
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());

        for (var i = 0; i < 4; i++)
        {
            await client.SubmitAsync(Sim.Submit());
        }

        var states = new List<MessageState>();
        for (var i = 0; i < 4; i++)
        {
            var receipt = await client.ExpectAsync(IsReceipt);
            await client.AnswerAsync(receipt);
            var text = Encoding.ASCII.GetString(receipt.ShortMessage.Span);
            Assert.True(receipt.Tlvs.TryGet(TlvTag.NetworkErrorCode, out var networkError) || receipt.Tlvs.MessageState == (byte)MessageState.Delivered);
            Assert.True(Parser.TryParse(receipt.EsmClass, text, receipt.Tlvs.ReceiptedMessageId, receipt.Tlvs.MessageState, networkError.Span, out var parsed));
            Assert.True(Parser.TryParse(receipt.EsmClass, text, null, null, default, out var fromText));
            Assert.Equal(parsed.State, fromText.State);
            Assert.Equal(parsed.ErrorCode, fromText.ErrorCode);
            states.Add(parsed.State);
        }

        Assert.Equal([MessageState.Delivered, MessageState.Expired, MessageState.Undeliverable, MessageState.Rejected], states.Order());
    }

    [Fact]
    public async Task Text_form_receipts_carry_no_tlvs_and_tlv_form_receipts_no_text()
    {
        await using var textOnly = await Sim.StartAsync(Sim.Options() with { ReceiptForm = ReceiptForm.Text });
        await using var tlvOnly = await Sim.StartAsync(Sim.Options() with { ReceiptForm = ReceiptForm.Tlv, ReceiptMix = new ReceiptMix(0, Undeliverable: 1) });
        await using var textClient = await RawSmppClient.BoundAsync(textOnly.Port, Sim.Transceiver());
        await using var tlvClient = await RawSmppClient.BoundAsync(tlvOnly.Port, Sim.Transceiver());

        await textClient.SubmitAsync(Sim.Submit());
        var tlvResponse = await tlvClient.SubmitAsync(Sim.Submit());
        var textReceipt = await textClient.ExpectAsync(IsReceipt);
        var tlvReceipt = await tlvClient.ExpectAsync(IsReceipt);

        Assert.Empty(textReceipt.Tlvs);
        Assert.StartsWith("id:", Encoding.ASCII.GetString(textReceipt.ShortMessage.Span));
        Assert.True(tlvReceipt.ShortMessage.IsEmpty);
        Assert.Equal(tlvResponse.MessageId, tlvReceipt.Tlvs.ReceiptedMessageId);
        Assert.Equal((byte)MessageState.Undeliverable, tlvReceipt.Tlvs.MessageState);
        Assert.True(tlvReceipt.Tlvs.TryGet(TlvTag.NetworkErrorCode, out var networkError));
        Assert.Equal(new byte[] { 3, 0, 1 }, networkError.ToArray());
    }

    [Fact]
    public async Task Receipts_of_a_transmitter_go_to_the_receivers_of_the_same_account_in_turn()
    {
        var options = Sim.Options(new SimulatorAccount(Sim.User, Sim.Password), new SimulatorAccount("other", "secret"));
        await using var simulator = await Sim.StartAsync(options);
        await using var transmitter = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        await using var receiverA = await RawSmppClient.BoundAsync(simulator.Port, Sim.Receiver());
        await using var receiverB = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver(InterfaceVersion.V50));
        await using var otherAccount = await RawSmppClient.BoundAsync(simulator.Port, Sim.Receiver(user: "other", password: "secret"));

        var ids = new HashSet<string>();
        for (var i = 0; i < 4; i++)
        {
            ids.Add((await transmitter.SubmitAsync(Sim.Submit())).MessageId);
        }

        var atA = new[] { await receiverA.ExpectAsync(IsReceipt), await receiverA.ExpectAsync(IsReceipt) };
        var atB = new[] { await receiverB.ExpectAsync(IsReceipt), await receiverB.ExpectAsync(IsReceipt) };

        Assert.Equal(ids, atA.Concat(atB).Select(r => r.Tlvs.ReceiptedMessageId!).ToHashSet());
        // Four receipts were made, one per submit, and all four arrived at A and B: none went to the other account or the
        // transmitter (each receipt is written once, counted as it is written; a stray copy would count a fifth).
        Assert.Equal(4, simulator.Stats.ReceiptsSent);
    }

    [Fact]
    public async Task A_receipt_waits_until_a_receiver_binds()
    {
        await using var simulator = await Sim.StartAsync();
        await using var transmitter = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        var response = await transmitter.SubmitAsync(Sim.Submit());
        await SimulatorBindTests.WaitUntilAsync(() => simulator.Stats.DeliveriesWaitingForReceiver == 1);

        await using var receiver = await RawSmppClient.BoundAsync(simulator.Port, Sim.Receiver());

        Assert.Equal(response.MessageId, (await receiver.ExpectAsync(IsReceipt)).Tlvs.ReceiptedMessageId);
    }

    [Fact]
    public async Task A_receipt_answered_ESME_RX_T_APPN_is_sent_again()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());
        var response = await client.SubmitAsync(Sim.Submit());

        var first = await client.ExpectAsync(IsReceipt);
        var firstSequence = first.SequenceNumber;
        await client.AnswerAsync(first, CommandStatus.ESME_RX_T_APPN);
        var again = await client.ExpectAsync(IsReceipt);
        await client.AnswerAsync(again);

        Assert.Equal(response.MessageId, again.Tlvs.ReceiptedMessageId);
        Assert.NotEqual(firstSequence, again.SequenceNumber);
        await SimulatorBindTests.WaitUntilAsync(() => simulator.Stats.ReceiptsAcknowledged == 1);
        Assert.Equal(2, simulator.Stats.ReceiptsSent);
        Assert.Equal(1, simulator.Stats.DeliverSmResponses["ESME_RX_T_APPN"]);
    }

    [Fact]
    public async Task An_unanswered_receipt_is_sent_again_after_the_response_timeout_and_abandoned_after_the_last_attempt()
    {
        var options = Sim.Options() with { DeliverResponseTimeout = TimeSpan.FromMilliseconds(200), MaxDeliverAttempts = 2 };
        await using var simulator = await Sim.StartAsync(options);
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());
        var response = await client.SubmitAsync(Sim.Submit());

        var first = await client.ExpectAsync(IsReceipt);
        var second = await client.ExpectAsync(IsReceipt);

        Assert.Equal(response.MessageId, first.Tlvs.ReceiptedMessageId);
        Assert.Equal(response.MessageId, second.Tlvs.ReceiptedMessageId);
        await SimulatorBindTests.WaitUntilAsync(() => simulator.Stats.DeliveriesAbandoned == 1);
        Assert.Equal(0, simulator.Stats.DeliveriesPending);
    }

    [Fact]
    public async Task Receipts_use_the_decimal_form_of_a_hex_message_id_when_so_configured()
    {
        var options = Sim.Options() with { MessageIdFormat = SimulatorMessageIdFormat.HexInResponseDecimalInReceipt, FirstMessageId = 0x1F };
        await using var simulator = await Sim.StartAsync(options);
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());

        var response = await client.SubmitAsync(Sim.Submit());
        var receipt = await client.ExpectAsync(IsReceipt);

        Assert.Equal("1F", response.MessageId);
        Assert.Equal("31", receipt.Tlvs.ReceiptedMessageId);
        Assert.StartsWith("id:31 ", Encoding.ASCII.GetString(receipt.ShortMessage.Span));
        Assert.Equal("31", new MessageIdNormalizer(MessageIdFormat.HexToDecimal).FromSubmitResponse(response.MessageId));
    }

    [Fact]
    public async Task No_receipt_is_sent_when_registered_delivery_does_not_ask_for_one()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());

        await client.SubmitAsync(Sim.Submit(registeredDelivery: 0));
        await client.SubmitAsync(Sim.Submit(registeredDelivery: 2)); // failure only; the mix delivers everything

        // A receipt is scheduled before its submit is answered, and only a scheduled receipt is ever sent.
        Assert.Equal(0, simulator.Stats.DeliveriesPending);
        var asked = await client.SubmitAsync(Sim.Submit(registeredDelivery: 1));
        Assert.Equal(1, simulator.Stats.DeliveriesPending);
        var receipt = await client.ExpectAsync(IsReceipt);
        Assert.Equal(asked.MessageId, receipt.Tlvs.ReceiptedMessageId);
        Assert.Equal(1, simulator.Stats.ReceiptsSent);
    }
}
