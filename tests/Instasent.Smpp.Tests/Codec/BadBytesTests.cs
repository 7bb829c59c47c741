using System.Buffers;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Tests.Codec;

/// <summary>
/// Every kind of malformed input gives a typed error with the command_status to answer with and whether the
/// stream is still framed; none of them throws.
/// </summary>
public class BadBytesTests
{
    private const uint BindTransmitter = 0x00000002;
    private const uint SubmitSm = 0x00000004;
    private const uint SubmitSmResp = 0x80000004;

    // submit_sm body up to and including the addresses; the helpers below append the rest.
    private static readonly string SubmitHeadFields = "00" + "0101" + Hex.Ascii("34600000001") + "00" + "0101" + Hex.Ascii("34600000002") + "00";
    private const string SubmitMiddleFields = "00 00 00 00 00 00 00 00 00"; // esm_class .. sm_default_msg_id

    [Theory]
    [InlineData("00000000")]
    [InlineData("0000000F")]
    public void A_command_length_under_16_loses_the_stream(string commandLength)
    {
        var bytes = Hex.Bytes(commandLength, "00000015 00000000 00000007");

        AssertDecodeError(bytes, CommandStatus.ESME_RINVCMDLEN, inSync: false);
        AssertReadError(bytes, CommandStatus.ESME_RINVCMDLEN, inSync: false);
    }

    [Fact]
    public void A_command_length_over_the_default_maximum_is_refused_from_the_header_alone()
    {
        // 64 KiB + 1: refused before waiting for (or buffering) the body it announces.
        var header = Hex.Bytes("00010001 00000004 00000000 00000007");

        var error = AssertReadError(header, CommandStatus.ESME_RINVCMDLEN, inSync: false);

        Assert.Equal(7u, error.SequenceNumber);
        Assert.Equal(CommandId.SubmitSm, error.CommandId);
        Assert.Contains("65537", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_length_that_disagrees_with_the_octets_given_is_refused()
    {
        var bytes = Hex.Bytes("00000014 00000015 00000000 00000007");

        AssertDecodeError(bytes, CommandStatus.ESME_RINVCMDLEN, inSync: false);
    }

    [Fact]
    public void A_body_that_ends_before_a_fixed_field_is_an_invalid_command_length()
    {
        // bind_transmitter cut after system_type: interface_version, addr_ton, addr_npi and address_range missing.
        var bytes = Hex.Pdu(BindTransmitter, 3, Hex.Ascii("user"), "00", Hex.Ascii("pass"), "00", "00");

        var error = AssertDecodeError(bytes, CommandStatus.ESME_RINVCMDLEN, inSync: true);

        Assert.Contains("interface_version", error.Reason, StringComparison.Ordinal);
        Assert.Equal(3u, error.SequenceNumber);
        AssertReadError(bytes, CommandStatus.ESME_RINVCMDLEN, inSync: true);
    }

    [Fact]
    public void A_submit_sm_cut_after_esm_class_is_an_invalid_command_length()
    {
        AssertDecodeError(Hex.Pdu(SubmitSm, 1, SubmitHeadFields, "00"), CommandStatus.ESME_RINVCMDLEN, inSync: true);
    }

    [Theory]
    [InlineData(15, true)]
    [InlineData(16, false)]
    public void System_id_is_limited_to_15_characters_and_its_nul(int length, bool accepted)
    {
        var bytes = Hex.Pdu(BindTransmitter, 1, Hex.Ascii(new string('u', length)), "00", Hex.Ascii("pass"), "00", "00 34 00 00 00");

        if (accepted)
        {
            Assert.Equal(new string('u', length), Assert.IsType<BindTransmitter>(Decode(bytes)).SystemId);
        }
        else
        {
            AssertDecodeError(bytes, CommandStatus.ESME_RINVSYSID, inSync: true);
        }
    }

    [Fact]
    public void A_system_id_without_its_nul_before_the_end_of_the_pdu_is_an_invalid_system_id()
    {
        AssertDecodeError(Hex.Pdu(BindTransmitter, 1, Hex.Ascii("user")), CommandStatus.ESME_RINVSYSID, inSync: true);
    }

    [Theory]
    [InlineData(8, true)]
    [InlineData(9, false)]
    public void Password_is_limited_to_8_characters_and_its_nul(int length, bool accepted)
    {
        var bytes = Hex.Pdu(BindTransmitter, 1, Hex.Ascii("user"), "00", Hex.Ascii(new string('p', length)), "00", "00 34 00 00 00");

        if (accepted)
        {
            Assert.Equal(new string('p', length), Assert.IsType<BindTransmitter>(Decode(bytes)).Password);
        }
        else
        {
            AssertDecodeError(bytes, CommandStatus.ESME_RINVPASWD, inSync: true);
        }
    }

    [Fact]
    public void A_source_addr_of_21_characters_is_an_invalid_source_address()
    {
        var bytes = Hex.Pdu(SubmitSm, 1, "00 0101", Hex.Ascii(new string('1', 21)), "00", "0101", Hex.Ascii("2"), "00", SubmitMiddleFields, "00");

        AssertDecodeError(bytes, CommandStatus.ESME_RINVSRCADR, inSync: true);
    }

    [Theory]
    [InlineData(20, true)]
    [InlineData(21, false)]
    public void Destination_addr_is_limited_to_20_characters_and_its_nul(int length, bool accepted)
    {
        var bytes = Hex.Pdu(SubmitSm, 1, "00 0101", Hex.Ascii("1"), "00", "0101", Hex.Ascii(new string('2', length)), "00", SubmitMiddleFields, "00");

        if (accepted)
        {
            Assert.Equal(new string('2', length), Assert.IsType<SubmitSm>(Decode(bytes)).DestinationAddr);
        }
        else
        {
            AssertDecodeError(bytes, CommandStatus.ESME_RINVDSTADR, inSync: true);
        }
    }

    [Theory]
    [InlineData(64, true)]
    [InlineData(65, false)]
    public void Message_id_is_limited_to_64_characters_and_its_nul(int length, bool accepted)
    {
        var bytes = Hex.Pdu(SubmitSmResp, 1, Hex.Ascii(new string('9', length)), "00");

        if (accepted)
        {
            Assert.Equal(new string('9', length), Assert.IsType<SubmitSmResp>(Decode(bytes)).MessageId);
        }
        else
        {
            AssertDecodeError(bytes, CommandStatus.ESME_RINVMSGID, inSync: true);
        }
    }

    [Fact]
    public void An_sm_length_past_the_end_of_the_pdu_is_an_invalid_message_length()
    {
        var bytes = Hex.Pdu(SubmitSm, 1, SubmitHeadFields, SubmitMiddleFields, "05", Hex.Ascii("Hell"));

        AssertDecodeError(bytes, CommandStatus.ESME_RINVMSGLEN, inSync: true);
    }

    [Fact]
    public void A_tlv_header_cut_by_the_end_of_the_pdu_is_an_invalid_tlv_stream()
    {
        var bytes = Hex.Pdu(SubmitSm, 1, SubmitHeadFields, SubmitMiddleFields, "00", "0204 00");

        AssertDecodeError(bytes, CommandStatus.ESME_RINVTLVSTREAM, inSync: true);
    }

    [Fact]
    public void A_tlv_whose_length_runs_past_the_pdu_is_an_invalid_tlv_length()
    {
        var bytes = Hex.Pdu(SubmitSm, 1, SubmitHeadFields, SubmitMiddleFields, "00", "0204 0002 12 34", "0424 0010 41 42");

        var error = AssertDecodeError(bytes, CommandStatus.ESME_RINVTLVLEN, inSync: true);

        Assert.Contains("0x0424", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x00000777u)]
    [InlineData(0x0000000Au)] // a gap in SMPP 3.4 §5.1.2.1
    [InlineData(0x8000000Bu)] // outbind has no response
    public void An_unknown_command_id_is_an_invalid_command_id_and_the_stream_stays_in_sync(uint commandId)
    {
        var bytes = Hex.Pdu(commandId, 12, "DEADBEEF");

        var error = AssertDecodeError(bytes, CommandStatus.ESME_RINVCMDID, inSync: true);

        Assert.Equal(commandId, error.CommandIdValue);
        Assert.Equal(12u, error.SequenceNumber);
    }

    [Fact]
    public void Submit_multi_with_no_destinations_is_an_invalid_number_of_destinations()
    {
        var bytes = Hex.Pdu((uint)CommandId.SubmitMulti, 1, "00 0101", Hex.Ascii("1"), "00", "00", SubmitMiddleFields, "00");

        AssertDecodeError(bytes, CommandStatus.ESME_RINVNUMDESTS, inSync: true);
    }

    [Fact]
    public void Submit_multi_with_an_unknown_dest_flag_is_an_invalid_destination_flag()
    {
        var bytes = Hex.Pdu((uint)CommandId.SubmitMulti, 1, "00 0101", Hex.Ascii("1"), "00", "01 03", SubmitMiddleFields, "00");

        AssertDecodeError(bytes, CommandStatus.ESME_RINVDESTFLAG, inSync: true);
    }

    [Fact]
    public void Submit_multi_claiming_more_destinations_than_its_octets_hold_is_refused_before_allocating_them()
    {
        var bytes = Hex.Pdu((uint)CommandId.SubmitMulti, 1, "00 0101", Hex.Ascii("1"), "00", "FE", "01 0101", Hex.Ascii("2"), "00");

        var error = AssertDecodeError(bytes, CommandStatus.ESME_RINVNUMDESTS, inSync: true);

        Assert.Contains("254", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Submit_multi_resp_claiming_more_unsuccess_smes_than_its_octets_hold_is_an_invalid_command_length()
    {
        var bytes = Hex.Pdu((uint)CommandId.SubmitMultiResp, 1, Hex.Ascii("id"), "00", "FF", "0101", Hex.Ascii("2"), "00", "0000000B");

        AssertDecodeError(bytes, CommandStatus.ESME_RINVCMDLEN, inSync: true);
    }

    [Fact]
    public void After_a_bad_pdu_in_sync_the_next_pdu_is_read()
    {
        var bad = Hex.Pdu(BindTransmitter, 1, Hex.Ascii(new string('u', 16)), "00", Hex.Ascii("pass"), "00", "00 34 00 00 00");
        var buffer = new ReadOnlySequence<byte>([.. bad, .. Hex.Bytes("00000010 00000015 00000000 00000002")]);

        Assert.Equal(PduReadStatus.Error, PduCodec.TryRead(ref buffer, out _, out var error));
        Assert.Equal(CommandStatus.ESME_RINVSYSID, error!.Status);
        Assert.Equal(PduReadStatus.Pdu, PduCodec.TryRead(ref buffer, out var next, out _));
        Assert.Equal(2u, Assert.IsType<EnquireLink>(next).SequenceNumber);
        Assert.Equal(0, buffer.Length);
    }

    [Fact]
    public void A_decode_error_describes_itself_with_the_status_name()
    {
        var error = AssertDecodeError(Hex.Pdu(0x777, 3), CommandStatus.ESME_RINVCMDID, inSync: true);

        Assert.StartsWith("ESME_RINVCMDID (0x03): command_id 0x00000777", error.ToString(), StringComparison.Ordinal);
    }

    private static Pdu Decode(byte[] bytes)
    {
        Assert.True(PduCodec.TryDecode(bytes, out var pdu, out var error), error?.ToString());
        return pdu!;
    }

    private static PduDecodeError AssertDecodeError(byte[] bytes, CommandStatus status, bool inSync)
    {
        Assert.False(PduCodec.TryDecode(bytes, out var pdu, out var error));
        Assert.Null(pdu);
        Assert.NotNull(error);
        Assert.Equal(status, error.Status);
        Assert.Equal(inSync, error.StreamInSync);
        return error;
    }

    /// <summary>Through the framing reader: in sync consumes exactly the bad PDU; out of sync consumes nothing.</summary>
    private static PduDecodeError AssertReadError(byte[] bytes, CommandStatus status, bool inSync)
    {
        var buffer = new ReadOnlySequence<byte>(bytes);

        Assert.Equal(PduReadStatus.Error, PduCodec.TryRead(ref buffer, out var pdu, out var error));

        Assert.Null(pdu);
        Assert.NotNull(error);
        Assert.Equal(status, error.Status);
        Assert.Equal(inSync, error.StreamInSync);
        Assert.Equal(inSync ? 0 : bytes.Length, buffer.Length);
        return error;
    }
}
