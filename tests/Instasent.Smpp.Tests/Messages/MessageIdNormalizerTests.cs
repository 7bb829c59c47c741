using Instasent.Smpp.Messages;

namespace Instasent.Smpp.Tests.Messages;

public class MessageIdNormalizerTests
{
    [Fact]
    public void As_is_matches_across_case_and_leading_zeros()
    {
        var normalizer = new MessageIdNormalizer(MessageIdFormat.AsIs);

        Assert.Equal(normalizer.FromSubmitResponse("0A1B"), normalizer.FromReceipt("a1b"));
        Assert.Equal("A1B", normalizer.FromReceipt(" a1b "));
    }

    [Fact]
    public void As_is_never_converts_bases()
    {
        var normalizer = new MessageIdNormalizer(MessageIdFormat.AsIs);

        Assert.Equal("10", normalizer.FromSubmitResponse("10"));
        Assert.Equal("10", normalizer.FromReceipt("10"));
    }

    [Fact]
    public void Hex_to_decimal_converts_the_submit_id_only()
    {
        var normalizer = new MessageIdNormalizer(MessageIdFormat.HexToDecimal);

        Assert.Equal("2587", normalizer.FromSubmitResponse("0A1B"));
        Assert.Equal("2587", normalizer.FromReceipt("0002587"));
        Assert.Equal("16", normalizer.FromSubmitResponse("10"));
    }

    [Fact]
    public void Decimal_to_hex_converts_the_submit_id_only()
    {
        var normalizer = new MessageIdNormalizer(MessageIdFormat.DecimalToHex);

        Assert.Equal("A1B", normalizer.FromSubmitResponse("2587"));
        Assert.Equal("A1B", normalizer.FromReceipt("0a1b"));
        Assert.Equal("FF", normalizer.FromSubmitResponse("255"));
    }

    [Fact]
    public void Ids_longer_than_64_bits_convert()
    {
        // 2^72 - 1.
        Assert.Equal("4722366482869645213695", new MessageIdNormalizer(MessageIdFormat.HexToDecimal).FromSubmitResponse("FFFFFFFFFFFFFFFFFF"));
        Assert.Equal("FFFFFFFFFFFFFFFFFF", new MessageIdNormalizer(MessageIdFormat.DecimalToHex).FromSubmitResponse("4722366482869645213695"));
    }

    [Theory]
    [InlineData(MessageIdFormat.HexToDecimal, " xyz-12 ", "XYZ-12")]
    [InlineData(MessageIdFormat.DecimalToHex, "12ab", "12AB")]
    [InlineData(MessageIdFormat.HexToDecimal, null, "")]
    [InlineData(MessageIdFormat.HexToDecimal, "", "")]
    [InlineData(MessageIdFormat.AsIs, "000", "0")]
    [InlineData(MessageIdFormat.HexToDecimal, "-1", "-1")]
    public void Junk_comes_back_trimmed_and_upper_cased_without_throwing(MessageIdFormat format, string? id, string expected)
    {
        Assert.Equal(expected, new MessageIdNormalizer(format).FromSubmitResponse(id));
    }
}
