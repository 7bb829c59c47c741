namespace Instasent.Smpp.Text;

/// <summary>
/// GSM 03.38 (3GPP TS 23.038 §6.2.1) default alphabet with its extension table, reached through the escape septet 0x1B.
/// "Unpacked" is one septet per octet, which is what SMPP short_message normally carries for data_coding 0;
/// "packed" is the 7-bit air-interface form (TS 23.038 §6.1.2.1).
/// </summary>
public static class Gsm7
{
    /// <summary>The escape septet that selects the extension table (TS 23.038 §6.2.1.1).</summary>
    public const byte Escape = 0x1B;

    private const string Basic =
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001BÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

    // TS 23.038 §6.2.1.1: the only extension septets with a character assigned.
    private static readonly (byte Septet, char Char)[] Extension =
    [
        (0x0A, '\f'), (0x14, '^'), (0x28, '{'), (0x29, '}'), (0x2F, '\\'),
        (0x3C, '['), (0x3D, '~'), (0x3E, ']'), (0x40, '|'), (0x65, '€'),
    ];

    // Encoding lookup for U+0000..U+03FF (Latin and Greek, where every GSM character but € lives):
    // -1 = not in the alphabet, 0x00..0x7F = basic septet, 0x100 | septet = extension septet.
    private static readonly short[] CharToSeptet = BuildEncodeTable();
    private static readonly char[] ExtensionToChar = BuildExtensionDecodeTable();
    private const char Euro = '€';
    private const byte EuroSeptet = 0x65;

    /// <summary>All characters of the extension table (each costs two septets).</summary>
    public static IReadOnlyList<char> ExtensionCharacters { get; } = Extension.Select(e => e.Char).ToArray();

    /// <summary>All characters of the basic table (each costs one septet); 0x1B (escape) excluded.</summary>
    public static IReadOnlyList<char> BasicCharacters { get; } = Basic.Where(c => c != '\u001B').ToArray();

    /// <summary>Septets this character costs: 1 (basic), 2 (extension) or 0 when it is not in the alphabet.</summary>
    public static int SeptetsOf(char c)
    {
        if (c < CharToSeptet.Length)
        {
            var s = CharToSeptet[c];
            return s < 0 ? 0 : s < 0x100 ? 1 : 2;
        }
        return c == Euro ? 2 : 0;
    }

    /// <summary>Index of the first character not in the alphabet, or -1 when the whole text fits.</summary>
    public static int IndexOfUnencodable(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (SeptetsOf(text[i]) == 0)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Septets needed for <paramref name="text"/>; throws <see cref="UnencodableCharacterException"/> when a character does not fit.</summary>
    public static int GetSeptetCount(ReadOnlySpan<char> text)
    {
        var count = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var n = SeptetsOf(text[i]);
            if (n == 0)
            {
                throw UnencodableCharacterException.At(text, i, SmsAlphabet.Gsm7);
            }
            count += n;
        }
        return count;
    }

    /// <summary>Encodes unpacked (one septet per octet) into <paramref name="destination"/>; returns the septets written.</summary>
    public static int Encode(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var written = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            int s = c < CharToSeptet.Length ? CharToSeptet[c] : c == Euro ? 0x100 | EuroSeptet : -1;
            if (s < 0)
            {
                throw UnencodableCharacterException.At(text, i, SmsAlphabet.Gsm7);
            }
            if (s >= 0x100)
            {
                destination[written++] = Escape;
            }
            destination[written++] = (byte)s;
        }
        return written;
    }

    /// <summary>Encodes unpacked (one septet per octet).</summary>
    public static byte[] Encode(string text)
    {
        var bytes = new byte[GetSeptetCount(text)];
        Encode(text, bytes);
        return bytes;
    }

    /// <summary>
    /// Decodes unpacked septets. Never throws: the top bit of each octet is ignored, an escape followed by a septet with
    /// no extension character yields the basic character, and a trailing or doubled escape yields a space
    /// (TS 23.038 §6.2.1.1, what a receiver that does not know the extension shows).
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> septets)
    {
        if (septets.IsEmpty)
        {
            return string.Empty;
        }
        Span<char> stack = stackalloc char[Math.Min(septets.Length, 512)];
        var chars = septets.Length <= stack.Length ? stack : new char[septets.Length];
        var n = 0;
        for (var i = 0; i < septets.Length; i++)
        {
            var s = septets[i] & 0x7F;
            if (s != Escape)
            {
                chars[n++] = Basic[s];
                continue;
            }
            if (i + 1 >= septets.Length)
            {
                chars[n++] = ' ';
                break;
            }
            var next = septets[++i] & 0x7F;
            chars[n++] = ExtensionToChar[next] != '\0' ? ExtensionToChar[next] : next == Escape ? ' ' : Basic[next];
        }
        return new string(chars[..n]);
    }

    /// <summary>Octets that <paramref name="septetCount"/> septets take when packed.</summary>
    public static int GetPackedLength(int septetCount) => (septetCount * 7 + 7) / 8;

    /// <summary>Packs septets (low bits first, TS 23.038 §6.1.2.1.1); returns the octets written.</summary>
    public static int Pack(ReadOnlySpan<byte> septets, Span<byte> destination)
    {
        var length = GetPackedLength(septets.Length);
        destination[..length].Clear();
        var bit = 0;
        foreach (var septet in septets)
        {
            var value = septet & 0x7F;
            var index = bit >> 3;
            var shift = bit & 7;
            destination[index] |= (byte)(value << shift);
            if (shift > 1)
            {
                destination[index + 1] |= (byte)(value >> (8 - shift));
            }
            bit += 7;
        }
        return length;
    }

    /// <summary>
    /// Unpacks <paramref name="septetCount"/> septets from packed octets (the count comes from the PDU's length field:
    /// 7 octets hold 8 septets or 7 septets plus padding, so it cannot be inferred). Returns the septets written.
    /// </summary>
    public static int Unpack(ReadOnlySpan<byte> packed, int septetCount, Span<byte> destination)
    {
        septetCount = Math.Min(septetCount, packed.Length * 8 / 7);
        for (var i = 0; i < septetCount; i++)
        {
            var bit = i * 7;
            var index = bit >> 3;
            var shift = bit & 7;
            var value = packed[index] >> shift;
            if (shift > 1)
            {
                value |= packed[index + 1] << (8 - shift);
            }
            destination[i] = (byte)(value & 0x7F);
        }
        return septetCount;
    }

    /// <summary>Encodes and packs.</summary>
    public static byte[] EncodePacked(string text)
    {
        var septets = Encode(text);
        var packed = new byte[GetPackedLength(septets.Length)];
        Pack(septets, packed);
        return packed;
    }

    /// <summary>Unpacks <paramref name="septetCount"/> septets and decodes them; never throws.</summary>
    public static string DecodePacked(ReadOnlySpan<byte> packed, int septetCount)
    {
        var septets = new byte[Math.Max(0, Math.Min(septetCount, packed.Length * 8 / 7))];
        Unpack(packed, septets.Length, septets);
        return Decode(septets);
    }

    private static short[] BuildEncodeTable()
    {
        var table = new short[0x400];
        Array.Fill(table, (short)-1);
        for (var s = 0; s < Basic.Length; s++)
        {
            if (s != Escape)
            {
                table[Basic[s]] = (short)s;
            }
        }
        foreach (var (septet, c) in Extension)
        {
            if (c < table.Length)
            {
                table[c] = (short)(0x100 | septet);
            }
        }
        return table;
    }

    private static char[] BuildExtensionDecodeTable()
    {
        var table = new char[0x80];
        foreach (var (septet, c) in Extension)
        {
            table[septet] = c;
        }
        return table;
    }
}
