using System.Buffers;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Tests.Codec;

/// <summary>The encoder refuses a field SMPP cannot carry, names it and its limit, and writes nothing.</summary>
public class EncodeValidationTests
{
    [Fact]
    public void A_password_of_9_characters_is_refused_naming_the_limit_of_8()
    {
        var bind = new BindTransceiver { SystemId = "user", Password = "123456789" };

        var e = AssertRefused(bind, "password");

        Assert.Contains("9 characters", e.Message, StringComparison.Ordinal);
        Assert.Contains("at most 8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_message_of_255_octets_is_refused_pointing_at_message_payload()
    {
        var submit = new SubmitSm { ShortMessage = new byte[255] };

        var e = AssertRefused(submit, "short_message");

        Assert.Contains("255 octets", e.Message, StringComparison.Ordinal);
        Assert.Contains("at most 254", e.Message, StringComparison.Ordinal);
        Assert.Contains("message_payload", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_character_outside_latin1_in_a_c_octet_string_is_refused()
    {
        var submit = new SubmitSm { SourceAddr = "Insta\u03A9" };

        var e = AssertRefused(submit, "source_addr");

        Assert.Contains("U+03A9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_nul_inside_a_c_octet_string_is_refused()
    {
        AssertRefused(new SubmitSm { DestinationAddr = "346\u00000" }, "destination_addr");
    }

    [Fact]
    public void A_character_outside_latin1_in_a_c_octet_string_tlv_is_refused()
    {
        var e = Assert.Throws<PduFieldException>(() => new DeliverSm().Tlvs.ReceiptedMessageId = "id\u20AC");

        Assert.Equal("TLV 0x001E", e.Field);
        Assert.Contains("U+20AC", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_system_id_of_16_characters_is_refused()
    {
        AssertRefused(new BindTransmitter { SystemId = new string('u', 16) }, "system_id");
    }

    [Fact]
    public void A_submit_multi_without_destinations_is_refused()
    {
        AssertRefused(new SubmitMulti(), "number_of_dests");
    }

    [Fact]
    public void A_tlv_value_over_65535_octets_is_refused()
    {
        var data = new DataSm();
        data.Tlvs.MessagePayload = new byte[65536];

        AssertRefused(data, "TLV 0x0424");
    }

    [Fact]
    public void Encoding_into_a_span_too_small_says_how_much_is_needed()
    {
        var e = Assert.Throws<ArgumentException>(() => PduCodec.Encode(new EnquireLink(), new byte[15].AsSpan()));

        Assert.Contains("needs 16", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Refused through all three encode entry points, with nothing written into the buffer writer.</summary>
    private static PduFieldException AssertRefused(Pdu pdu, string field)
    {
        var output = new ArrayBufferWriter<byte>();
        var e = Assert.Throws<PduFieldException>(() => PduCodec.Encode(pdu, output));
        Assert.Equal(field, e.Field);
        Assert.Equal(field, e.ParamName);
        Assert.Equal(0, output.WrittenCount);
        Assert.Throws<PduFieldException>(() => PduCodec.Encode(pdu));
        Assert.Throws<PduFieldException>(() => PduCodec.Encode(pdu, new byte[70_000].AsSpan()));
        return e;
    }
}
