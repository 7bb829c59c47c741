namespace Instasent.Smpp.Text;

/// <summary>The alphabets Instasent accepts for outbound text, with their SMPP data_coding values.</summary>
public enum SmsAlphabet : byte
{
    /// <summary>GSM 03.38 default alphabet and extension table, data_coding 0.</summary>
    Gsm7 = DataCodings.Gsm7,

    /// <summary>ISO-8859-15 (Latin-9), data_coding 3 as Instasent defines it.</summary>
    Latin9 = DataCodings.Latin9,

    /// <summary>UCS-2 / UTF-16BE, surrogate pairs allowed, data_coding 8.</summary>
    Ucs2 = DataCodings.Ucs2,
}

/// <summary>SMPP data_coding values (SMPP 3.4 §5.2.19) this library reads or writes.</summary>
public static class DataCodings
{
    /// <summary>SMSC default alphabet; Instasent: GSM 03.38.</summary>
    public const byte Gsm7 = 0x00;

    /// <summary>IA5 (CCITT T.50) / ASCII.</summary>
    public const byte Ia5 = 0x01;

    /// <summary>Octet unspecified (8-bit binary), the older of the two codes.</summary>
    public const byte Binary2 = 0x02;

    /// <summary>Latin-1 in SMPP 3.4; Instasent uses it for ISO-8859-15 (Latin-9).</summary>
    public const byte Latin9 = 0x03;

    /// <summary>Octet unspecified (8-bit binary).</summary>
    public const byte Binary = 0x04;

    /// <summary>UCS-2, sent as UTF-16BE.</summary>
    public const byte Ucs2 = 0x08;
}

/// <summary>Helpers on <see cref="SmsAlphabet"/>.</summary>
public static class SmsAlphabetExtensions
{
    /// <summary>The data_coding value that announces this alphabet in submit_sm.</summary>
    public static byte ToDataCoding(this SmsAlphabet alphabet) => (byte)alphabet;
}
