using System.Buffers.Binary;

namespace Instasent.Smpp.Text;

/// <summary>
/// UCS-2 as Instasent reads it (data_coding 8): UTF-16 big-endian, so characters outside the BMP travel as
/// surrogate pairs. Code units are copied as they are, so any .NET string round-trips.
/// </summary>
public static class Ucs2
{
    /// <summary>Encodes big-endian into <paramref name="destination"/>; returns the octets written (2 per UTF-16 unit).</summary>
    public static int Encode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        for (var i = 0; i < text.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(destination[(2 * i)..], text[i]);
        }
        return 2 * text.Length;
    }

    /// <summary>Encodes to a new array.</summary>
    public static byte[] Encode(string text)
    {
        var bytes = new byte[2 * text.Length];
        Encode(text, bytes);
        return bytes;
    }

    /// <summary>Decodes big-endian UTF-16; a trailing odd octet is dropped, so this never throws.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes) =>
        string.Create(bytes.Length / 2, bytes, static (chars, source) =>
        {
            for (var i = 0; i < chars.Length; i++)
            {
                chars[i] = (char)BinaryPrimitives.ReadUInt16BigEndian(source[(2 * i)..]);
            }
        });
}
