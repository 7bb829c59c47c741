using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Tests.Codec;

public class TlvCollectionTests
{
    [Fact]
    public void Unknown_tlvs_are_kept_in_wire_order_byte_for_byte()
    {
        // enquire_link_resp is header-only in §4.11.2, so everything after the header is the TLV area.
        var tlvArea = Hex.Bytes(
            "1400 0003 010203", // vendor-specific (SMPP 3.4 §5.3.2: 0x1400-0x3FFF)
            "0204 0002 BEEF",   // user_message_reference
            "7FFF 0000",        // unknown tag, empty value
            "1400 0001 FF",     // the same vendor tag again: kept, not merged
            "001E 0004 41424300");
        var bytes = Hex.Pdu((uint)CommandId.DeliverSmResp, 1, "00", Convert.ToHexString(tlvArea));

        Assert.True(PduCodec.TryDecode(bytes, out var pdu, out var error), error?.ToString());

        Assert.Equal(new ushort[] { 0x1400, 0x0204, 0x7FFF, 0x1400, 0x001E }, pdu!.Tlvs.Select(t => t.Tag));
        Assert.Equal(new byte[] { 1, 2, 3 }, pdu.Tlvs[0].Value.ToArray());
        Assert.True(pdu.Tlvs[2].Value.IsEmpty);
        Assert.Equal(new byte[] { 0xFF }, pdu.Tlvs[3].Value.ToArray());
        Assert.Equal(bytes, PduCodec.Encode(pdu));
    }

    [Fact]
    public void Typed_accessors_write_the_tags_and_encodings_of_the_specification()
    {
        var tlvs = new SubmitSm().Tlvs;
        tlvs.MessagePayload = new byte[] { 0x41, 0x42 };
        tlvs.ReceiptedMessageId = "abc";
        tlvs.MessageState = 2;
        tlvs.NetworkErrorCode = new byte[] { 3, 0, 1 };
        tlvs.SarMsgRefNum = 0x1234;
        tlvs.SarTotalSegments = 3;
        tlvs.SarSegmentSeqnum = 1;
        tlvs.UserMessageReference = 0xBEEF;
        tlvs.ScInterfaceVersion = 0x50;
        tlvs.SourcePort = 0x0B84;
        tlvs.DestinationPort = 0x23F0;
        tlvs.CongestionState = 90;

        var wire = tlvs.Select(t => $"{t.Tag:X4}:{Convert.ToHexString(t.Value.Span)}");

        Assert.Equal(
            [
                "0424:4142", "001E:61626300", "0427:02", "0423:030001", "020C:1234", "020E:03", "020F:01", "0204:BEEF",
                "0210:50", "020A:0B84", "020B:23F0", "0428:5A",
            ],
            wire);
    }

    [Fact]
    public void Typed_accessors_read_what_the_peer_sent()
    {
        var bytes = Hex.Pdu((uint)CommandId.DeliverSmResp, 1, "00",
            "020C 0002 ABCD", "020E 0001 04", "020F 0001 02", "0423 0003 030045", "0427 0001 05", "001E 0003 313233");

        Assert.True(PduCodec.TryDecode(bytes, out var pdu, out _));
        var tlvs = pdu!.Tlvs;

        Assert.Equal((ushort)0xABCD, tlvs.SarMsgRefNum);
        Assert.Equal((byte)4, tlvs.SarTotalSegments);
        Assert.Equal((byte)2, tlvs.SarSegmentSeqnum);
        Assert.Equal(new byte[] { 3, 0, 0x45 }, tlvs.NetworkErrorCode!.Value.ToArray());
        Assert.Equal((byte)5, tlvs.MessageState);
        // Some SMSCs leave out the NUL of receipted_message_id; the value is the same.
        Assert.Equal("123", tlvs.ReceiptedMessageId);
        Assert.Null(tlvs.UserMessageReference);
        Assert.Null(tlvs.MessagePayload);
    }

    [Fact]
    public void Setting_a_typed_tlv_replaces_it_in_place_and_null_removes_it()
    {
        var tlvs = new SubmitSm().Tlvs;
        tlvs.SarMsgRefNum = 1;
        tlvs.Set(new Tlv(0x1400, new byte[] { 9 }));
        tlvs.SarMsgRefNum = 2;

        Assert.Equal(new ushort[] { 0x020C, 0x1400 }, tlvs.Select(t => t.Tag));
        Assert.Equal((ushort)2, tlvs.SarMsgRefNum);

        tlvs.SarMsgRefNum = null;

        Assert.Equal(new ushort[] { 0x1400 }, tlvs.Select(t => t.Tag));
    }

    [Fact]
    public void A_typed_accessor_over_a_value_too_short_for_its_type_reads_null()
    {
        var bytes = Hex.Pdu((uint)CommandId.DeliverSmResp, 1, "00", "020C 0001 AB", "0427 0000");

        Assert.True(PduCodec.TryDecode(bytes, out var pdu, out _));

        Assert.Null(pdu!.Tlvs.SarMsgRefNum);
        Assert.Null(pdu.Tlvs.MessageState);
    }

    [Fact]
    public void An_absent_octet_tlv_reads_null_and_an_empty_one_reads_empty()
    {
        var bytes = Hex.Pdu((uint)CommandId.DeliverSmResp, 1, "00", "0424 0000");

        Assert.True(PduCodec.TryDecode(bytes, out var pdu, out _));

        Assert.True(pdu!.Tlvs.MessagePayload is { IsEmpty: true });
        Assert.Null(pdu.Tlvs.NetworkErrorCode);
    }
}
