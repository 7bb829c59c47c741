using Instasent.Smpp.Messages;

namespace Instasent.Smpp.Tests.Messages;

public class UserDataHeaderTests
{
    [Fact]
    public void An_8_bit_concatenation_ie_is_read_and_skipped()
    {
        byte[] message = [0x05, 0x00, 0x03, 0x2A, 0x02, 0x01, 0x41];

        var offset = UserDataHeader.GetTextOffset(0x40, message, out var concat);

        Assert.Equal(6, offset);
        Assert.Equal(new ConcatenationInfo(0x2A, 2, 1), concat);
    }

    [Fact]
    public void A_16_bit_concatenation_ie_is_read_big_endian()
    {
        byte[] message = [0x06, 0x08, 0x04, 0x12, 0x34, 0x03, 0x02, 0x41];

        UserDataHeader.GetTextOffset(0x40, message, out var concat);

        Assert.Equal(new ConcatenationInfo(0x1234, 3, 2), concat);
    }

    [Fact]
    public void Other_ies_before_the_concatenation_ie_are_skipped()
    {
        // IE 0x24 (national language single shift, TS 23.040 §9.2.3.24.15) then IE 0x00.
        byte[] message = [0x08, 0x24, 0x01, 0x01, 0x00, 0x03, 0x2A, 0x02, 0x02, 0x41, 0x42];

        var offset = UserDataHeader.GetTextOffset(0x40, message, out var concat);

        Assert.Equal(9, offset);
        Assert.Equal(new ConcatenationInfo(0x2A, 2, 2), concat);
    }

    [Theory]
    [InlineData(new byte[] { 0x20, 0x00, 0x03, 0x01, 0x02, 0x01 })]
    [InlineData(new byte[] { 0x05, 0x00, 0x07, 0x01, 0x02, 0x01 })]
    [InlineData(new byte[] { 0x01, 0x00 })]
    [InlineData(new byte[] { })]
    public void A_malformed_udh_leaves_the_whole_message_as_text(byte[] message)
    {
        Assert.Equal(0, UserDataHeader.GetTextOffset(0x40, message, out var concat));
        Assert.Null(concat);
    }

    [Fact]
    public void Without_udhi_nothing_is_read_as_a_header()
    {
        Assert.Equal(0, UserDataHeader.GetTextOffset(0x04, [0x05, 0x00, 0x03, 0x2A, 0x02, 0x01], out var concat));
        Assert.Null(concat);
    }

    [Fact]
    public void A_concatenation_ie_with_sequence_zero_is_ignored_but_the_header_still_skipped()
    {
        Assert.Equal(6, UserDataHeader.GetTextOffset(0x40, [0x05, 0x00, 0x03, 0x2A, 0x02, 0x00, 0x41], out var concat));
        Assert.Null(concat);
    }
}
