using System.Text;

namespace Instasent.Smpp.Tests.Codec;

/// <summary>Byte vectors written as spaced hex, one field per part, and ASCII text as its hex.</summary>
internal static class Hex
{
    public static byte[] Bytes(params string[] parts) =>
        Convert.FromHexString(string.Concat(parts).Replace(" ", "", StringComparison.Ordinal));

    public static string Ascii(string text) => Convert.ToHexString(Encoding.ASCII.GetBytes(text));

    /// <summary>A PDU with a correct command_length around <paramref name="bodyParts"/>: for tests about the body.</summary>
    public static byte[] Pdu(uint commandId, uint sequence, params string[] bodyParts)
    {
        var body = Bytes(bodyParts);
        return Bytes($"{16 + body.Length:X8} {commandId:X8} 00000000 {sequence:X8}", Convert.ToHexString(body));
    }
}
