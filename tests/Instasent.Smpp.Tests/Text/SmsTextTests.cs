using Instasent.Smpp.Text;

namespace Instasent.Smpp.Tests.Text;

public class SmsTextTests
{
    [Theory]
    [InlineData("Hello {world} €5", SmsAlphabet.Gsm7)]
    [InlineData("Tu código: 1234", SmsAlphabet.Ucs2)]
    [InlineData("Привет", SmsAlphabet.Ucs2)]
    [InlineData("ok 👍", SmsAlphabet.Ucs2)]
    [InlineData("", SmsAlphabet.Gsm7)]
    public void Automatic_choice_is_gsm7_when_every_character_fits_else_ucs2(string text, SmsAlphabet expected)
    {
        Assert.Equal(expected, SmsText.ChooseAlphabet(text));
    }

    [Fact]
    public void Explicit_gsm7_names_the_first_offending_character_its_index_and_the_alphabet()
    {
        var error = Assert.Throws<UnencodableCharacterException>(() => SmsText.Encode("Hola ñ 你好", SmsAlphabet.Gsm7));

        Assert.Equal("你", error.Character);
        Assert.Equal(7, error.Index);
        Assert.Equal(SmsAlphabet.Gsm7, error.Alphabet);
        Assert.Contains("'你' (U+4F60) at index 7", error.Message);
        Assert.Contains("Gsm7 (data_coding 0)", error.Message);
    }

    [Fact]
    public void Explicit_latin9_reports_an_emoji_as_the_whole_surrogate_pair()
    {
        var error = Assert.Throws<UnencodableCharacterException>(() => SmsText.EnsureEncodable("Olé 😀", SmsAlphabet.Latin9));

        Assert.Equal("😀", error.Character);
        Assert.Equal(4, error.Index);
        Assert.Contains("U+1F600", error.Message);
        Assert.Contains("Latin9 (data_coding 3)", error.Message);
    }

    [Fact]
    public void Explicit_latin9_rejects_the_latin1_currency_sign_it_replaced_with_the_euro()
    {
        var error = Assert.Throws<UnencodableCharacterException>(() => SmsText.Encode("5¤", SmsAlphabet.Latin9));

        Assert.Equal(1, error.Index);
    }

    [Fact]
    public void Data_codings_are_those_instasent_documents()
    {
        Assert.Equal(0, SmsAlphabet.Gsm7.ToDataCoding());
        Assert.Equal(3, SmsAlphabet.Latin9.ToDataCoding());
        Assert.Equal(8, SmsAlphabet.Ucs2.ToDataCoding());
    }

    [Theory]
    [InlineData(0x00, new byte[] { 0x68, 0x69, 0x1B, 0x65 }, "hi€")]
    [InlineData(0x01, new byte[] { 0x48, 0x69, 0x21 }, "Hi!")]
    [InlineData(0x03, new byte[] { 0xA4, 0xBD }, "€œ")]
    [InlineData(0x04, new byte[] { 0x00, 0xFF, 0x41 }, "\u0000ÿA")]
    [InlineData(0x02, new byte[] { 0x80 }, "\u0080")]
    [InlineData(0x08, new byte[] { 0xD8, 0x3D, 0xDE, 0x00 }, "😀")]
    [InlineData(0xF1, new byte[] { 0x00 }, "@")]
    [InlineData(0x77, new byte[] { 0xE9 }, "é")]
    public void Inbound_text_decodes_by_data_coding_and_unknown_values_fall_back_to_latin1(byte dataCoding, byte[] bytes, string expected)
    {
        Assert.Equal(expected, SmsText.Decode(dataCoding, bytes));
    }
}
