using System.Buffers;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Tests.Codec;

public class CodecSmokeTests
{
    [Fact]
    public void Enquire_link_encodes_as_the_specification_header()
    {
        var bytes = PduCodec.Encode(new EnquireLink { SequenceNumber = 7 });

        Assert.Equal(Convert.FromHexString("00000010" + "00000015" + "00000000" + "00000007"), bytes);
    }

    [Fact]
    public void Bind_transceiver_encodes_field_by_field()
    {
        var bind = new BindTransceiver { SequenceNumber = 1, SystemId = "myuser", Password = "mypass", InterfaceVersion = InterfaceVersion.V34 };

        var bytes = PduCodec.Encode(bind);

        var body = "6D7975736572" + "00" + "6D7970617373" + "00" + "00" + "34" + "00" + "00" + "00";
        Assert.Equal(Convert.FromHexString($"{16 + body.Length / 2:X8}" + "00000009" + "00000000" + "00000001" + body), bytes);
    }

    [Fact]
    public void Submit_sm_survives_a_round_trip_with_tlvs_in_order()
    {
        var submit = new SubmitSm
        {
            SequenceNumber = 42,
            SourceAddrTon = Ton.Alphanumeric,
            SourceAddr = "Instasent",
            DestAddrTon = Ton.International,
            DestAddrNpi = Npi.Isdn,
            DestinationAddr = "34676388300",
            EsmClass = EsmClass.UdhIndicator,
            RegisteredDelivery = 1,
            DataCoding = 8,
            ShortMessage = new byte[] { 5, 0, 3, 9, 2, 1, 0, 0x41 },
        };
        submit.Tlvs.UserMessageReference = 0x1234;
        submit.Tlvs.Set(new Tlv(0x1400, new byte[] { 1, 2, 3 }));

        var bytes = PduCodec.Encode(submit);
        Assert.True(PduCodec.TryDecode(bytes, out var decoded, out var error), error?.ToString());

        var back = Assert.IsType<SubmitSm>(decoded);
        Assert.Equal("Instasent", back.SourceAddr);
        Assert.Equal("34676388300", back.DestinationAddr);
        Assert.Equal(submit.ShortMessage.ToArray(), back.ShortMessage.ToArray());
        Assert.Equal((ushort)0x1234, back.Tlvs.UserMessageReference);
        Assert.Equal(new ushort[] { 0x0204, 0x1400 }, back.Tlvs.Select(t => t.Tag));
        Assert.Equal(bytes, PduCodec.Encode(back));
    }

    [Fact]
    public void A_command_length_over_the_maximum_loses_the_stream()
    {
        var buffer = new ReadOnlySequence<byte>(Convert.FromHexString("00100000" + "00000004" + "00000000" + "00000001"));

        var status = PduCodec.TryRead(ref buffer, out _, out var error, maxCommandLength: 1024);

        Assert.Equal(PduReadStatus.Error, status);
        Assert.Equal(CommandStatus.ESME_RINVCMDLEN, error!.Status);
        Assert.False(error.StreamInSync);
        Assert.Equal(1u, error.SequenceNumber);
    }

    [Fact]
    public void An_unknown_command_id_is_skipped_and_the_stream_stays_in_sync()
    {
        var bytes = Convert.FromHexString("00000014" + "00000777" + "00000000" + "00000003" + "DEADBEEF"
            + "00000010" + "00000015" + "00000000" + "00000004");
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(PduReadStatus.Error, PduCodec.TryRead(ref buffer, out _, out var error));
        Assert.Equal(CommandStatus.ESME_RINVCMDID, error!.Status);
        Assert.True(error.StreamInSync);
        Assert.Equal(PduReadStatus.Pdu, PduCodec.TryRead(ref buffer, out var next, out _));
        Assert.IsType<EnquireLink>(next);
    }
}
