using CsCheck;
using Instasent.Smpp.Text;

namespace Instasent.Smpp.Tests.Text;

public class TextPropertyTests
{
    internal static readonly Gen<char> GsmChar = Gen.Char[new string(Gsm7.BasicCharacters.Concat(Gsm7.ExtensionCharacters).ToArray())];
    internal static readonly Gen<char> Latin9Char = Gen.Char[new string(Enumerable.Range(0x20, 0xE0).Select(i => Latin9.Decode([(byte)i])[0]).ToArray())];

    // Any BMP character, plus whole surrogate pairs (emoji), never a lone surrogate.
    internal static readonly Gen<string> Ucs2Atom = Gen.OneOf(
        Gen.Char.Where(c => !char.IsSurrogate(c)).Select(c => c.ToString()),
        Gen.Int[0x10000, 0x10FFFF].Select(cp => char.ConvertFromUtf32(cp)));

    internal static Gen<string> TextIn(SmsAlphabet alphabet, int maxLength) => alphabet switch
    {
        SmsAlphabet.Gsm7 => Gen.String[GsmChar, 0, maxLength],
        SmsAlphabet.Latin9 => Gen.String[Latin9Char, 0, maxLength],
        _ => Ucs2Atom.Array[0, maxLength / 2].Select(string.Concat),
    };

    [Theory]
    [InlineData(SmsAlphabet.Gsm7)]
    [InlineData(SmsAlphabet.Latin9)]
    [InlineData(SmsAlphabet.Ucs2)]
    public void Encoding_then_decoding_returns_the_text(SmsAlphabet alphabet)
    {
        TextIn(alphabet, 400).Sample(text =>
            Assert.Equal(text, SmsText.Decode(alphabet.ToDataCoding(), SmsText.Encode(text, alphabet))), iter: 500);
    }

    [Fact]
    public void Packing_then_unpacking_returns_the_gsm_text()
    {
        TextIn(SmsAlphabet.Gsm7, 400).Sample(text =>
            Assert.Equal(text, Gsm7.DecodePacked(Gsm7.EncodePacked(text), Gsm7.GetSeptetCount(text))), iter: 500);
    }
}
