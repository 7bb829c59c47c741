using System.Text.Json.Nodes;
using Instasent.Smpp.TestSupport.Peers;
using Instasent.Smpp.Text;

namespace Instasent.Smpp.Tests.Interop;

/// <summary>
/// Our short_message text encodings against node-smpp's own (its GSM 03.38 coder, iconv's UTF-16BE). Latin-9
/// (data_coding 3) is not compared: node-smpp treats 3 as ISO-8859-1, Instasent as ISO-8859-15.
/// </summary>
[Collection(InteropPeersCollection.Name)]
public sealed class TextInteropTests(InteropPeersFixture peers)
{
    private static readonly string EveryGsm7Character = new([.. Gsm7.BasicCharacters, .. Gsm7.ExtensionCharacters]);

    [Fact]
    public async Task Every_GSM7_character_encodes_to_the_septets_node_smpp_produces()
    {
        var nodeBytes = await ShortMessageAsync(EveryGsm7Character, dataCoding: 0);

        Assert.Equal(Convert.ToHexString(nodeBytes), Convert.ToHexString(Gsm7.Encode(EveryGsm7Character)));
    }

    [Fact]
    public async Task Every_GSM7_character_node_smpp_encodes_decodes_back_in_ours()
    {
        var nodeBytes = await ShortMessageAsync(EveryGsm7Character, dataCoding: 0);

        Assert.Equal(EveryGsm7Character, Gsm7.Decode(nodeBytes));
    }

    [Theory]
    [InlineData("Hola, ¿qué tal? €")]
    [InlineData("Привет, мир")]
    [InlineData("emoji 😀 outside the BMP")]
    public async Task UCS2_text_encodes_to_the_octets_node_smpp_produces(string text)
    {
        var nodeBytes = await ShortMessageAsync(text, dataCoding: 8);

        Assert.Equal(Convert.ToHexString(nodeBytes), Convert.ToHexString(Ucs2.Encode(text)));
        Assert.Equal(text, Ucs2.Decode(nodeBytes));
    }

    // node-smpp text-encodes a string short_message itself, choosing the coder from data_coding.
    private async Task<byte[]> ShortMessageAsync(string text, int dataCoding)
    {
        var bytes = await peers.Node.EncodeAsync(new JsonObject
        {
            ["command"] = "submit_sm", ["sequence_number"] = 1, ["destination_addr"] = "34676388300",
            ["data_coding"] = dataCoding, ["short_message"] = text,
        });
        var decoded = await peers.Node.DecodeAsync(bytes);
        return Convert.FromHexString(decoded["short_message"]!.GetValue<string>());
    }
}
