using Instasent.Smpp.Messages;
using Instasent.Smpp.Pdus;
using Instasent.Smpp.Text;
using Instasent.SmppAdapter.Simulator;

namespace Instasent.SmppAdapter.Simulator.Tests;

public class SimulatorMoTests
{
    private static readonly string LongText = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 8));

    [Fact]
    public async Task A_short_mo_arrives_as_one_gsm_deliver_sm_and_completes_when_acknowledged()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Receiver());

        var injected = await simulator.InjectMoAsync(Sim.User, "+34600111222", "Instasent", "Hi there");
        var deliver = await client.ExpectAsync<DeliverSm>();

        Assert.Equal(0, deliver.EsmClass);
        Assert.Equal(DataCodings.Gsm7, deliver.DataCoding);
        Assert.Equal("34600111222", deliver.SourceAddr);
        Assert.Equal(Ton.International, deliver.SourceAddrTon);
        Assert.Equal("Instasent", deliver.DestinationAddr);
        Assert.Equal("Hi there", SmsText.Decode(deliver.DataCoding, deliver.ShortMessage.Span));
        Assert.False(injected.Delivered.IsCompleted);
        await client.AnswerAsync(deliver);
        await injected.Delivered.WaitAsync(RawSmppClient.DefaultWait);
        Assert.Equal(1, simulator.Stats.MoAcknowledged);
    }

    [Fact]
    public async Task An_mo_with_characters_outside_gsm_arrives_in_ucs2()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());

        await simulator.InjectMoAsync(Sim.User, "+34600111222", "Instasent", "Привет 👋");
        var deliver = await client.ExpectAsync<DeliverSm>();

        Assert.Equal(DataCodings.Ucs2, deliver.DataCoding);
        Assert.Equal("Привет 👋", SmsText.Decode(deliver.DataCoding, deliver.ShortMessage.Span));
    }

    [Theory]
    [InlineData(MoSegmentation.Udh8)]
    [InlineData(MoSegmentation.Udh16)]
    [InlineData(MoSegmentation.Sar)]
    public async Task A_long_mo_arrives_in_segments_that_reassemble_to_the_text(MoSegmentation segmentation)
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());

        var injected = await simulator.InjectMoAsync(Sim.User, "+34600111222", "Instasent", LongText, segmentation: segmentation);
        var reassembler = new SegmentReassembler();
        ReassemblyResult? result = null;
        for (var i = 0; i < injected.Segments.Count; i++)
        {
            var deliver = await client.ExpectAsync<DeliverSm>();
            await client.AnswerAsync(deliver);
            Assert.Equal(segmentation != MoSegmentation.Sar, deliver.HasUdh);
            SarNumbers? sar = deliver.Tlvs.SarMsgRefNum is { } reference
                ? new SarNumbers(reference, deliver.Tlvs.SarTotalSegments!.Value, deliver.Tlvs.SarSegmentSeqnum!.Value)
                : null;
            result = reassembler.Add(deliver.SourceAddr, deliver.DestinationAddr, deliver.EsmClass, deliver.DataCoding, deliver.ShortMessage.Span, sar);
        }

        Assert.Equal(3, injected.Segments.Count); // 360 GSM characters at 153 (UDH) or 160 (SAR) a segment
        Assert.Equal(ReassemblyStatus.Complete, result!.Status);
        Assert.Equal(LongText, result.Text);
        await injected.Delivered.WaitAsync(RawSmppClient.DefaultWait);
    }

    [Fact]
    public async Task A_long_mo_without_segmentation_arrives_whole_in_message_payload()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());

        await simulator.InjectMoAsync(Sim.User, "+34600111222", "Instasent", LongText, segmentation: MoSegmentation.None);
        var deliver = await client.ExpectAsync<DeliverSm>();

        Assert.True(deliver.ShortMessage.IsEmpty);
        Assert.True(deliver.Tlvs.TryGet(TlvTag.MessagePayload, out var payload));
        Assert.Equal(LongText, SmsText.Decode(deliver.DataCoding, payload.Span));
    }

    [Fact]
    public async Task An_mo_for_an_unknown_account_is_an_argument_error()
    {
        await using var simulator = await Sim.StartAsync();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => simulator.InjectMoAsync("nobody", "+34600111222", "Instasent", "Hi"));

        Assert.Contains("nobody", error.Message);
    }
}
