using Instasent.Smpp.Text;

namespace Instasent.Smpp.Tests.Text;

public class Gsm7Tests
{
    [Fact]
    public void Every_basic_character_round_trips_as_one_septet()
    {
        var text = new string(Gsm7.BasicCharacters.ToArray());

        var septets = Gsm7.Encode(text);

        Assert.Equal(127, septets.Length);
        Assert.Equal(text, Gsm7.Decode(septets));
    }

    [Fact]
    public void Every_extension_character_round_trips_as_escape_plus_septet()
    {
        foreach (var c in Gsm7.ExtensionCharacters)
        {
            var septets = Gsm7.Encode(c.ToString());

            Assert.Equal(2, septets.Length);
            Assert.Equal(Gsm7.Escape, septets[0]);
            Assert.Equal(c.ToString(), Gsm7.Decode(septets));
        }
    }

    [Theory]
    // 3GPP TS 23.038 §6.2.1 table positions.
    [InlineData("@", new byte[] { 0x00 })]
    [InlineData("£$¥", new byte[] { 0x01, 0x02, 0x03 })]
    [InlineData("Δ_", new byte[] { 0x10, 0x11 })]
    [InlineData("¤¡§¿à", new byte[] { 0x24, 0x40, 0x5F, 0x60, 0x7F })]
    [InlineData("€", new byte[] { 0x1B, 0x65 })]
    [InlineData("[~]|", new byte[] { 0x1B, 0x3C, 0x1B, 0x3D, 0x1B, 0x3E, 0x1B, 0x40 })]
    [InlineData("{}\\^\f", new byte[] { 0x1B, 0x28, 0x1B, 0x29, 0x1B, 0x2F, 0x1B, 0x14, 0x1B, 0x0A })]
    public void Characters_map_to_their_table_positions(string text, byte[] septets)
    {
        Assert.Equal(septets, Gsm7.Encode(text));
        Assert.Equal(text, Gsm7.Decode(septets));
    }

    [Theory]
    // "hellohello" is the worked example of dreamfabric.com's "SMS and the PDU format" (E8329BFD4697D9EC37);
    // "hello" is its first five septets, packed alone: the fifth septet's leftover bits fill a last octet (06).
    [InlineData("hello", "E8329BFD06")]
    [InlineData("hellohello", "E8329BFD4697D9EC37")]
    // 8 septets fill exactly 7 octets (TS 23.038 §6.1.2.1.1); vector computed independently with a Python big-integer shift.
    [InlineData("12345678", "31D98C56B3DD70")]
    public void Packing_matches_known_vectors(string text, string packedHex)
    {
        var packed = Gsm7.EncodePacked(text);

        Assert.Equal(packedHex, Convert.ToHexString(packed));
        Assert.Equal(text, Gsm7.DecodePacked(packed, Gsm7.GetSeptetCount(text)));
    }

    [Fact]
    public void Unpacked_form_is_one_septet_per_octet()
    {
        Assert.Equal("68656C6C6F", Convert.ToHexString(Gsm7.Encode("hello")));
    }

    [Fact]
    public void Decoding_an_escape_to_an_unassigned_extension_septet_yields_the_basic_character()
    {
        Assert.Equal("A", Gsm7.Decode([0x1B, 0x41]));
    }

    [Fact]
    public void Decoding_a_trailing_escape_yields_a_space()
    {
        Assert.Equal("a ", Gsm7.Decode([0x61, 0x1B]));
    }

    [Fact]
    public void Decoding_ignores_the_top_bit_of_each_octet()
    {
        Assert.Equal("a", Gsm7.Decode([0xE1]));
    }

    [Fact]
    public void Septet_count_charges_two_for_extension_characters()
    {
        Assert.Equal(6, Gsm7.GetSeptetCount("a€b{"));
    }
}
