using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Tests.Codec;

/// <summary>
/// Byte vectors hand-assembled field by field from the SMPP 3.4 field tables (§3.2 header, §4.x bodies, §5.3.2
/// TLVs), not produced by this codec: each one is decoded and must also be what the codec encodes.
/// </summary>
public class SpecificationVectorTests
{
    [Fact]
    public void Bind_transmitter_matches_the_section_4_1_1_field_table()
    {
        var bytes = Hex.Bytes(
            "0000002F 00000002 00000000 00000001", // command_length 47, bind_transmitter, ESME_ROK, sequence 1
            Hex.Ascii("SMPP3TEST"), "00",           // system_id
            Hex.Ascii("secret08"), "00",            // password
            Hex.Ascii("SUBMIT1"), "00",             // system_type
            "34",                                   // interface_version 3.4
            "01 01",                                // addr_ton international, addr_npi ISDN
            "00");                                  // address_range empty

        var bind = Assert.IsType<BindTransmitter>(Decode(bytes));

        Assert.Equal(("SMPP3TEST", "secret08", "SUBMIT1"), (bind.SystemId, bind.Password, bind.SystemType));
        Assert.Equal(InterfaceVersion.V34, bind.InterfaceVersion);
        Assert.Equal((Ton.International, Npi.Isdn, ""), (bind.AddrTon, bind.AddrNpi, bind.AddressRange));
        Assert.Equal(1u, bind.SequenceNumber);
        Assert.Equal(bytes, PduCodec.Encode(bind));
    }

    [Fact]
    public void Submit_sm_with_a_udh_matches_the_section_4_4_1_field_table()
    {
        var bytes = Hex.Bytes(
            "00000040 00000004 00000000 00000005", // command_length 64, submit_sm, ESME_ROK, sequence 5
            "00",                                   // service_type default
            "05 00", Hex.Ascii("Instasent"), "00",  // source_addr_ton alphanumeric, npi unknown, source_addr
            "01 01", Hex.Ascii("34600000000"), "00", // dest_addr_ton international, npi ISDN, destination_addr
            "40",                                   // esm_class: UDHI (§5.2.12 bit 6)
            "00 00",                                // protocol_id, priority_flag
            "00 00",                                // schedule_delivery_time, validity_period: immediate, default
            "01",                                   // registered_delivery: receipt on success or failure
            "00 00 00",                             // replace_if_present_flag, data_coding default, sm_default_msg_id
            "0B",                                   // sm_length 11
            "05 00 03 2A 02 01",                    // UDH: concatenation, reference 0x2A, part 1 of 2
            Hex.Ascii("Hello"));

        var submit = Assert.IsType<SubmitSm>(Decode(bytes));

        Assert.Equal((Ton.Alphanumeric, Npi.Unknown, "Instasent"), (submit.SourceAddrTon, submit.SourceAddrNpi, submit.SourceAddr));
        Assert.Equal((Ton.International, Npi.Isdn, "34600000000"), (submit.DestAddrTon, submit.DestAddrNpi, submit.DestinationAddr));
        Assert.True(submit.HasUdh);
        Assert.Equal(RegisteredDelivery.SmscReceiptOnSuccessOrFailure, submit.RegisteredDelivery);
        Assert.Equal(Hex.Bytes("0500032A0201", Hex.Ascii("Hello")), submit.ShortMessage.ToArray());
        Assert.Empty(submit.Tlvs);
        Assert.Equal(bytes, PduCodec.Encode(submit));
    }

    [Fact]
    public void Deliver_sm_receipt_matches_section_4_6_1_with_the_receipt_tlvs_of_section_5_3_2()
    {
        const string receipt = "id:0123456789 sub:001 dlvrd:001 submit date:2401011200 done date:2401011201 stat:DELIVRD err:000 text:Hello";
        var bytes = Hex.Bytes(
            "000000B4 00000005 00000000 00000010", // command_length 180, deliver_sm, ESME_ROK, sequence 16
            "00",                                   // service_type
            "01 01", Hex.Ascii("34600000000"), "00", // source: the handset
            "05 00", Hex.Ascii("Instasent"), "00",  // destination: the ESME's sender id
            "04",                                   // esm_class: SMSC delivery receipt (§5.2.12 bits 5-2 = 0001)
            "00 00 00 00 00 00 00 00",              // protocol_id .. sm_default_msg_id
            "6B", Hex.Ascii(receipt),               // sm_length 107, the Appendix B receipt text
            "001E 000B", Hex.Ascii("0123456789"), "00", // receipted_message_id (§5.3.2.12), C-octet string
            "0427 0001 02");                        // message_state DELIVERED (§5.3.2.35)

        var deliver = Assert.IsType<DeliverSm>(Decode(bytes));

        Assert.True(deliver.IsDeliveryReceipt);
        Assert.Equal(receipt, System.Text.Encoding.ASCII.GetString(deliver.ShortMessage.Span));
        Assert.Equal("0123456789", deliver.Tlvs.ReceiptedMessageId);
        Assert.Equal((byte)2, deliver.Tlvs.MessageState);
        Assert.Equal(16u, deliver.SequenceNumber);
        Assert.Equal(bytes, PduCodec.Encode(deliver));
    }

    [Fact]
    public void Generic_nack_is_a_header_with_the_error_status()
    {
        // SMPP 3.4 §4.3.1: header only; command_status says why.
        var bytes = Hex.Bytes("00000010 80000000 00000003 00000009");

        var nack = Assert.IsType<GenericNack>(Decode(bytes));

        Assert.Equal(CommandStatus.ESME_RINVCMDID, nack.CommandStatus);
        Assert.Equal(9u, nack.SequenceNumber);
        Assert.Equal(bytes, PduCodec.Encode(new GenericNack { CommandStatus = CommandStatus.ESME_RINVCMDID, SequenceNumber = 9 }));
    }

    [Fact]
    public void Submit_sm_resp_with_an_error_status_has_no_body()
    {
        // SMPP 3.4 §4.4.2: "The submit_sm_resp PDU Body is not returned if the command_status field contains a non-zero value."
        var bytes = Hex.Bytes("00000010 80000004 00000058 00000005");

        var resp = Assert.IsType<SubmitSmResp>(Decode(bytes));

        Assert.Equal(CommandStatus.ESME_RTHROTTLED, resp.CommandStatus);
        Assert.Equal("", resp.MessageId);
        Assert.Equal(bytes, PduCodec.Encode(new SubmitSmResp { CommandStatus = CommandStatus.ESME_RTHROTTLED, SequenceNumber = 5 }));
    }

    [Fact]
    public void Submit_sm_resp_carries_the_message_id_as_a_c_octet_string()
    {
        var bytes = Hex.Bytes("00000015 80000004 00000000 00000005", Hex.Ascii("1A2B"), "00");

        var resp = Assert.IsType<SubmitSmResp>(Decode(bytes));

        Assert.Equal("1A2B", resp.MessageId);
        Assert.Equal(bytes, PduCodec.Encode(resp));
    }

    [Fact]
    public void Bind_transceiver_resp_carries_sc_interface_version()
    {
        // SMPP 3.4 §4.1.6 body and §5.3.2.25 sc_interface_version TLV.
        var bytes = Hex.Bytes("0000001C 80000009 00000000 00000001", Hex.Ascii("SMSC01"), "00", "0210 0001 34");

        var resp = Assert.IsType<BindTransceiverResp>(Decode(bytes));

        Assert.Equal("SMSC01", resp.SystemId);
        Assert.Equal(InterfaceVersion.V34, resp.Tlvs.ScInterfaceVersion);
        Assert.Equal(bytes, PduCodec.Encode(resp));
    }

    private static Pdu Decode(byte[] bytes)
    {
        Assert.True(PduCodec.TryDecode(bytes, out var pdu, out var error), error?.ToString());
        return pdu!;
    }
}
