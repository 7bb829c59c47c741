using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Sending;

namespace Instasent.SmppAdapter.Tests.Sending;

public sealed class SubmitSmFactoryTests
{
    private static SubmitPlan Plan(string text, string segmentation = "Udh8", string? encoding = null, bool receipt = true)
    {
        var options = TestConfig.Options(new Dictionary<string, string?> { ["Smpp:Connections:0:Segmentation"] = segmentation });
        var command = new SendSms
        {
            MessageId = "m", From = "Instasent", To = "+34600000001", Text = text, Encoding = encoding,
            RequestDeliveryReport = receipt, ValidityPeriod = "PT1H", ScheduleDeliveryTime = "2030-01-31T09:00:00+01:00",
        };
        return new SendSmsValidator(options).Validate(command).Plan!;
    }

    [Fact]
    public void Short_text_is_one_submit_sm_with_the_mapped_fields()
    {
        var pdu = Assert.Single(SubmitSmFactory.Create(Plan("Hello"), 0));
        Assert.Equal((Ton.Alphanumeric, Npi.Unknown, "Instasent"), (pdu.SourceAddrTon, pdu.SourceAddrNpi, pdu.SourceAddr));
        Assert.Equal((Ton.International, Npi.Isdn, "34600000001"), (pdu.DestAddrTon, pdu.DestAddrNpi, pdu.DestinationAddr));
        Assert.Equal(0, pdu.EsmClass);
        Assert.Equal(RegisteredDelivery.SmscReceiptOnSuccessOrFailure, pdu.RegisteredDelivery);
        Assert.Equal(0, pdu.DataCoding);
        Assert.Equal("000000010000000R", pdu.ValidityPeriod);
        Assert.Equal("300131090000004+", pdu.ScheduleDeliveryTime);
        Assert.Equal("Hello"u8.ToArray(), pdu.ShortMessage.ToArray());
        Assert.False(SubmitSmFactory.NeedsReference(Plan("Hello")));
    }

    [Theory]
    [InlineData("high", "2", 2)]
    [InlineData("normal", "2", 0)]
    [InlineData(null, "2", 0)]
    [InlineData("high", null, 0)]
    public void A_high_priority_command_carries_the_connections_HighPriorityFlag(string? priority, string? flag, int expected)
    {
        var options = TestConfig.Options(new Dictionary<string, string?> { ["Smpp:Connections:0:HighPriorityFlag"] = flag });
        var command = new SendSms { MessageId = "m", From = "Instasent", To = "+34600000001", Text = "Your code is 1234", Priority = priority };
        var plan = new SendSmsValidator(options).Validate(command).Plan!;
        Assert.Equal((byte)expected, SubmitSmFactory.Create(plan, 0)[0].PriorityFlag);
    }

    [Fact]
    public void No_receipt_requested_sets_registered_delivery_0() =>
        Assert.Equal(RegisteredDelivery.None, SubmitSmFactory.Create(Plan("Hi", receipt: false), 0)[0].RegisteredDelivery);

    [Fact]
    public void Long_text_with_Udh8_gets_a_6_octet_UDH_with_the_reference_and_UDHI()
    {
        var pdus = SubmitSmFactory.Create(Plan(new string('a', 200)), 0xAB);
        Assert.Equal(2, pdus.Count);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(EsmClass.UdhIndicator, pdus[i].EsmClass);
            Assert.Equal(new byte[] { 5, 0, 3, 0xAB, 2, (byte)(i + 1) }, pdus[i].ShortMessage[..6].ToArray());
        }
    }

    [Fact]
    public void Long_text_with_Udh16_gets_a_7_octet_UDH() =>
        Assert.Equal(new byte[] { 6, 8, 4, 0x12, 0x34, 2, 1 }, SubmitSmFactory.Create(Plan(new string('a', 200), "Udh16"), 0x1234)[0].ShortMessage[..7].ToArray());

    [Fact]
    public void Long_text_with_Sar_carries_the_sar_TLVs_and_no_UDH()
    {
        var pdus = SubmitSmFactory.Create(Plan(new string('a', 200), "Sar"), 7);
        Assert.Equal(2, pdus.Count);
        Assert.Equal(0, pdus[1].EsmClass);
        Assert.Equal((ushort)7, pdus[1].Tlvs.SarMsgRefNum);
        Assert.Equal((byte)2, pdus[1].Tlvs.SarTotalSegments);
        Assert.Equal((byte)2, pdus[1].Tlvs.SarSegmentSeqnum);
    }

    [Fact]
    public void Long_text_with_MessagePayload_is_one_PDU_with_the_TLV_and_empty_short_message()
    {
        var plan = Plan(new string('a', 200), "MessagePayload");
        var pdu = Assert.Single(SubmitSmFactory.Create(plan, 0));
        Assert.Equal(0, pdu.ShortMessage.Length);
        Assert.Equal(200, pdu.Tlvs.MessagePayload!.Value.Length);
        Assert.False(SubmitSmFactory.NeedsReference(plan));
    }

    [Theory]
    [InlineData("€uro", "latin9", 3)]
    [InlineData("Привет", null, 8)]
    [InlineData("Hello", null, 0)]
    public void Data_coding_follows_the_encoding(string text, string? encoding, byte dataCoding) =>
        Assert.Equal(dataCoding, SubmitSmFactory.Create(Plan(text, encoding: encoding), 0)[0].DataCoding);
}
