using System.Globalization;
using System.Numerics;

namespace Instasent.Smpp.Messages;

/// <summary>
/// How an SMSC writes, in receipts, the message_id it returned in submit_sm_resp (configuration key
/// <c>MessageIdFormat</c>). A property of the SMSC: configure it, never guess ("10" read as hex is 16).
/// </summary>
public enum MessageIdFormat
{
    /// <summary>Same id in both; only case and leading zeros may differ.</summary>
    AsIs,

    /// <summary>submit_sm_resp gives hexadecimal, receipts give the same number in decimal.</summary>
    HexToDecimal,

    /// <summary>submit_sm_resp gives decimal, receipts give the same number in hexadecimal.</summary>
    DecimalToHex,
}

/// <summary>
/// Turns the id from submit_sm_resp and the id from a receipt into one matching key: trimmed, upper-case, without
/// leading zeros, and converted between hex and decimal only as <see cref="MessageIdFormat"/> says. Ids of any length
/// convert (BigInteger); an id that is not a number in the expected base is returned trimmed and case-normalised,
/// never an exception.
/// </summary>
public sealed class MessageIdNormalizer(MessageIdFormat format)
{
    // Bounds BigInteger work on junk input; real ids are far shorter.
    private const int MaxConvertibleLength = 128;

    /// <summary>The configured format.</summary>
    public MessageIdFormat Format { get; } = format;

    /// <summary>Key for the message_id of a submit_sm_resp.</summary>
    public string FromSubmitResponse(string? messageId)
    {
        var id = Canonical(messageId);
        return Format switch
        {
            MessageIdFormat.HexToDecimal => Convert(id, NumberStyles.AllowHexSpecifier, "D") ?? id,
            MessageIdFormat.DecimalToHex => Convert(id, NumberStyles.None, "X") ?? id,
            _ => id,
        };
    }

    /// <summary>Key for the id carried by a delivery receipt.</summary>
    public string FromReceipt(string? messageId) => Canonical(messageId);

    private static string Canonical(string? messageId)
    {
        var id = (messageId ?? string.Empty).Trim().ToUpperInvariant();
        var trimmed = id.TrimStart('0');
        return trimmed.Length == 0 && id.Length > 0 ? "0" : trimmed;
    }

    private static string? Convert(string id, NumberStyles style, string format)
    {
        if (id.Length == 0 || id.Length > MaxConvertibleLength)
        {
            return null;
        }
        // A leading 0 keeps a hex value with its top bit set from reading as negative.
        var digits = style == NumberStyles.AllowHexSpecifier ? "0" + id : id;
        if (!BigInteger.TryParse(digits, style, CultureInfo.InvariantCulture, out var value))
        {
            return null;
        }
        var converted = value.ToString(format, CultureInfo.InvariantCulture).TrimStart('0');
        return converted.Length == 0 ? "0" : converted;
    }
}
