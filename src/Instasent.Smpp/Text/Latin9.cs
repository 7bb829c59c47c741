namespace Instasent.Smpp.Text;

/// <summary>
/// ISO-8859-15 (Latin-9), Instasent's data_coding 3. It equals Latin-1 except at eight code points:
/// 0xA4 €, 0xA6 Š, 0xA8 š, 0xB4 Ž, 0xB8 ž, 0xBC Œ, 0xBD œ, 0xBE Ÿ.
/// </summary>
public static class Latin9
{
    private static readonly (byte Byte, char Char)[] Differences =
    [
        (0xA4, '€'), (0xA6, 'Š'), (0xA8, 'š'), (0xB4, 'Ž'), (0xB8, 'ž'), (0xBC, 'Œ'), (0xBD, 'œ'), (0xBE, 'Ÿ'),
    ];

    private static readonly char[] ByteToChar = BuildDecodeTable();

    /// <summary>The byte for <paramref name="c"/>, or -1 when Latin-9 has no such character.</summary>
    public static int ByteOf(char c)
    {
        if (c < 0x100)
        {
            // The Latin-1 characters that Latin-9 replaced are not in Latin-9 at all.
            return ByteToChar[c] == c ? c : -1;
        }
        foreach (var (b, ch) in Differences)
        {
            if (ch == c)
            {
                return b;
            }
        }
        return -1;
    }

    /// <summary>Index of the first character not in Latin-9, or -1 when the whole text fits.</summary>
    public static int IndexOfUnencodable(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (ByteOf(text[i]) < 0)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Encodes into <paramref name="destination"/> (one octet per character); returns the octets written.</summary>
    public static int Encode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var b = ByteOf(text[i]);
            if (b < 0)
            {
                throw UnencodableCharacterException.At(text, i, SmsAlphabet.Latin9);
            }
            destination[i] = (byte)b;
        }
        return text.Length;
    }

    /// <summary>Encodes to a new array.</summary>
    public static byte[] Encode(string text)
    {
        var bytes = new byte[text.Length];
        Encode(text, bytes);
        return bytes;
    }

    /// <summary>Decodes; every octet maps to a character, so this never throws.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes) =>
        string.Create(bytes.Length, bytes, static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                chars[i] = ByteToChar[source[i]];
            }
        });

    private static char[] BuildDecodeTable()
    {
        var table = new char[0x100];
        for (var i = 0; i < table.Length; i++)
        {
            table[i] = (char)i;
        }
        foreach (var (b, c) in Differences)
        {
            table[b] = c;
        }
        return table;
    }
}
