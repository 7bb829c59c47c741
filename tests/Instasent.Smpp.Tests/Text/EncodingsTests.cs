using System.Text;
using Instasent.Smpp.Text;

namespace Instasent.Smpp.Tests.Text;

public class EncodingsTests
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    static EncodingsTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    [Fact]
    public void Latin9_puts_the_euro_at_0xA4()
    {
        Assert.Equal([0xA4], Latin9.Encode("€"));
        Assert.Equal("€", Latin9.Decode([0xA4]));
    }

    [Theory]
    [InlineData(0xA4, '€', '¤')]
    [InlineData(0xA6, 'Š', '¦')]
    [InlineData(0xA8, 'š', '¨')]
    [InlineData(0xB4, 'Ž', '´')]
    [InlineData(0xB8, 'ž', '¸')]
    [InlineData(0xBC, 'Œ', '¼')]
    [InlineData(0xBD, 'œ', '½')]
    [InlineData(0xBE, 'Ÿ', '¾')]
    public void Latin9_differs_from_Latin1_at_eight_positions(byte b, char latin9, char latin1)
    {
        Assert.Equal(latin9.ToString(), Latin9.Decode([b]));
        Assert.Equal(latin1.ToString(), Latin1.GetString([b]));
        Assert.Equal(-1, Latin9.IndexOfUnencodable(latin9.ToString()));
        Assert.Equal(0, Latin9.IndexOfUnencodable(latin1.ToString()));
    }

    [Fact]
    public void Latin9_matches_the_platform_iso_8859_15_codec_for_every_byte()
    {
        // Independent implementation: .NET's code-page provider, code page 28605 (ISO-8859-15).
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var reference = Encoding.GetEncoding(28605).GetString(all);

        Assert.Equal(reference, Latin9.Decode(all));
        Assert.Equal(all, Latin9.Encode(reference));
    }

    [Fact]
    public void Ucs2_sends_an_emoji_as_a_big_endian_surrogate_pair()
    {
        var bytes = Ucs2.Encode("😀");

        Assert.Equal("D83DDE00", Convert.ToHexString(bytes));
        Assert.Equal(Encoding.BigEndianUnicode.GetBytes("😀"), bytes);
        Assert.Equal("😀", Ucs2.Decode(bytes));
    }

    [Fact]
    public void Ucs2_decoding_drops_a_trailing_odd_octet()
    {
        Assert.Equal("A", Ucs2.Decode([0x00, 0x41, 0x00]));
    }
}
