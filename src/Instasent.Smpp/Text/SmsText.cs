namespace Instasent.Smpp.Text;

/// <summary>
/// Chooses an alphabet for outbound text, encodes it, and decodes inbound short messages by data_coding.
/// Lengths are counted in "units": septets for GSM 7-bit (unpacked, one octet each), octets for Latin-9,
/// UTF-16 code units for UCS-2 (two octets each).
/// </summary>
public static class SmsText
{
    /// <summary>GSM 7-bit when every character fits it, else UCS-2 (the choice Instasent's own API makes).</summary>
    public static SmsAlphabet ChooseAlphabet(ReadOnlySpan<char> text) =>
        Gsm7.IndexOfUnencodable(text) < 0 ? SmsAlphabet.Gsm7 : SmsAlphabet.Ucs2;

    /// <summary>Index of the first character <paramref name="alphabet"/> cannot carry, or -1.</summary>
    public static int IndexOfUnencodable(ReadOnlySpan<char> text, SmsAlphabet alphabet) => alphabet switch
    {
        SmsAlphabet.Gsm7 => Gsm7.IndexOfUnencodable(text),
        SmsAlphabet.Latin9 => Latin9.IndexOfUnencodable(text),
        SmsAlphabet.Ucs2 => -1,
        _ => throw UnknownAlphabet(alphabet),
    };

    /// <summary>Throws <see cref="UnencodableCharacterException"/> naming the first character that does not fit.</summary>
    public static void EnsureEncodable(ReadOnlySpan<char> text, SmsAlphabet alphabet)
    {
        var index = IndexOfUnencodable(text, alphabet);
        if (index >= 0)
        {
            throw UnencodableCharacterException.At(text, index, alphabet);
        }
    }

    /// <summary>Units of <paramref name="c"/> in <paramref name="alphabet"/>: 1, 2 (GSM extension) or 0 when it does not fit.</summary>
    public static int UnitsOf(char c, SmsAlphabet alphabet) => alphabet switch
    {
        SmsAlphabet.Gsm7 => Gsm7.SeptetsOf(c),
        SmsAlphabet.Latin9 => Latin9.ByteOf(c) < 0 ? 0 : 1,
        _ => 1,
    };

    /// <summary>Total units of the text; throws <see cref="UnencodableCharacterException"/> when a character does not fit.</summary>
    public static int GetUnitCount(ReadOnlySpan<char> text, SmsAlphabet alphabet)
    {
        if (alphabet == SmsAlphabet.Gsm7)
        {
            return Gsm7.GetSeptetCount(text);
        }
        EnsureEncodable(text, alphabet);
        return text.Length;
    }

    /// <summary>Octets per unit: 2 for UCS-2, 1 otherwise (GSM septets are sent unpacked).</summary>
    public static int OctetsPerUnit(SmsAlphabet alphabet) => alphabet == SmsAlphabet.Ucs2 ? 2 : 1;

    /// <summary>Encodes into <paramref name="destination"/> (GSM unpacked); returns the octets written.</summary>
    public static int Encode(ReadOnlySpan<char> text, SmsAlphabet alphabet, Span<byte> destination) => alphabet switch
    {
        SmsAlphabet.Gsm7 => Gsm7.Encode(text, destination),
        SmsAlphabet.Latin9 => Latin9.Encode(text, destination),
        SmsAlphabet.Ucs2 => Ucs2.Encode(text, destination),
        _ => throw UnknownAlphabet(alphabet),
    };

    /// <summary>Encodes to a new array (GSM unpacked).</summary>
    public static byte[] Encode(string text, SmsAlphabet alphabet)
    {
        var bytes = new byte[GetUnitCount(text, alphabet) * OctetsPerUnit(alphabet)];
        Encode(text, alphabet, bytes);
        return bytes;
    }

    /// <summary>
    /// Decodes an inbound short message (or message_payload) by its data_coding. Never throws:
    /// 0 GSM 7-bit unpacked; 3 Latin-9; 8 UTF-16BE; 0xF0-0xF3 (GSM message class, 7-bit) as 0;
    /// 1 (IA5/ASCII), 2 and 4 (8-bit binary) and any other value byte-for-byte as Latin-1, so nothing is lost.
    /// </summary>
    public static string Decode(byte dataCoding, ReadOnlySpan<byte> bytes) => dataCoding switch
    {
        DataCodings.Gsm7 or (>= 0xF0 and <= 0xF3) => Gsm7.Decode(bytes),
        DataCodings.Latin9 => Latin9.Decode(bytes),
        DataCodings.Ucs2 => Ucs2.Decode(bytes),
        _ => Latin1(bytes),
    };

    private static string Latin1(ReadOnlySpan<byte> bytes) =>
        string.Create(bytes.Length, bytes, static (chars, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                chars[i] = (char)source[i];
            }
        });

    private static ArgumentOutOfRangeException UnknownAlphabet(SmsAlphabet alphabet) =>
        new(nameof(alphabet), alphabet, "Alphabet must be Gsm7 (0), Latin9 (3) or Ucs2 (8).");
}
