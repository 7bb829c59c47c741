using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Sending;

/// <summary>An address as submit_sm carries it: TON, NPI and the digits or alphanumeric sender (SMPP 3.4 §5.2.5-5.2.8).</summary>
public readonly record struct SmppAddress(Ton Ton, Npi Npi, string Addr);

/// <summary>
/// Checks <c>from</c>/<c>to</c> and chooses TON/NPI. The rules (README documents them):
/// <list type="bullet">
/// <item><c>to</c>: E.164: an optional '+', then 8..15 digits, the first not 0 (ITU-T E.164 §6: at most 15 digits;
/// 8 is the shortest international number we accept, so a national number missing its country code is refused rather
/// than sent to the wrong country). Sent as international, TON 1 / NPI 1.</item>
/// <item><c>from</c>, alphanumeric: 1..11 characters (TS 23.040 §9.1.2.5: 11 GSM characters), letters, digits, space and
/// <c>-_.&amp;</c>, at least one letter: TON 5 / NPI 0.</item>
/// <item><c>from</c>, numeric: an optional '+', then digits, SourceNumberMinLength..SourceNumberMaxLength digits (3..11 as
/// Instasent documents). Up to 8 digits without '+' is a short code: TON 3 / NPI 0; otherwise international TON 1 / NPI 1.</item>
/// </list>
/// The connection's <c>Source</c>/<c>Destination</c> rules override TON and NPI and keep or strip the '+'.
/// </summary>
public static class SmppAddressRules
{
    /// <summary>Longest short code (digits, no '+').</summary>
    public const int MaxShortCodeDigits = 8;
    public const int MaxAlphanumericLength = 11;

    public static bool TryDestination(string? to, SmppConnectionOptions connection, out SmppAddress address, out string? error)
    {
        address = default;
        var digits = to is { Length: > 0 } && to[0] == '+' ? to[1..] : to ?? "";
        if (digits.Length is < 8 or > 15 || !digits.All(char.IsAsciiDigit) || digits[0] == '0')
        {
            error = $"to must be an E.164 number: optional '+', 8..15 digits, not starting with 0 (was \"{SmppTelemetry.MaskPhoneNumber(to)}\")";
            return false;
        }
        error = null;
        address = Apply(connection.Destination, Ton.International, Npi.Isdn, digits, plus: true);
        return true;
    }

    public static bool TrySource(string? from, SmppConnectionOptions connection, out SmppAddress address, out string? error)
    {
        address = default;
        error = null;
        from ??= "";
        if (from.Length == 0)
        {
            error = "from is required: an alphanumeric sender of up to 11 characters or a number";
            return false;
        }
        var hasPlus = from[0] == '+';
        var digits = hasPlus ? from[1..] : from;
        if (digits.Length > 0 && digits.All(char.IsAsciiDigit))
        {
            if (digits.Length < connection.SourceNumberMinLength || digits.Length > connection.SourceNumberMaxLength)
            {
                error = $"from as a number must have {connection.SourceNumberMinLength}..{connection.SourceNumberMaxLength} digits (was {digits.Length})";
                return false;
            }
            address = !hasPlus && digits.Length <= MaxShortCodeDigits
                ? Apply(connection.Source, Ton.NetworkSpecific, Npi.Unknown, digits, plus: false)
                : Apply(connection.Source, Ton.International, Npi.Isdn, digits, plus: hasPlus);
            return true;
        }
        if (from.Length > MaxAlphanumericLength || !from.All(IsSenderChar) || !from.Any(char.IsAsciiLetter))
        {
            error = $"from must be an alphanumeric sender of 1..{MaxAlphanumericLength} letters, digits, spaces or -_.& with at least one letter, or a number (was \"{from}\", {from.Length} characters)";
            return false;
        }
        address = new SmppAddress(connection.Source.Ton ?? Ton.Alphanumeric, connection.Source.Npi ?? Npi.Unknown, from);
        return true;
    }

    private static bool IsSenderChar(char c) => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-' or '_' or '.' or '&';

    private static SmppAddress Apply(AddressRule rule, Ton ton, Npi npi, string digits, bool plus) =>
        new(rule.Ton ?? ton, rule.Npi ?? npi, plus && rule.KeepPlus ? "+" + digits : digits);
}
