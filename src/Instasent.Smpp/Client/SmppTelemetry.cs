namespace Instasent.Smpp.Client;

/// <summary>The names to subscribe to: <c>AddSource(SmppTelemetry.ActivitySourceName)</c>, <c>AddMeter(SmppTelemetry.MeterName)</c>.</summary>
public static class SmppTelemetry
{
    public const string ActivitySourceName = "Instasent.Smpp";

    public const string MeterName = "Instasent.Smpp";

    /// <summary>
    /// An E.164 number for telemetry: the country code and the last two digits stay, the rest become <c>*</c>
    /// (<c>+34676388300</c> → <c>+34*******00</c>). Anything that is not a number of at least six digits is masked whole.
    /// </summary>
    public static string MaskPhoneNumber(string? address)
    {
        if (string.IsNullOrEmpty(address))
        {
            return "";
        }

        var plus = address[0] == '+' ? 1 : 0;
        var digits = address.Length - plus;
        foreach (var c in address.AsSpan(plus))
        {
            if (!char.IsAsciiDigit(c))
            {
                return new string('*', address.Length);
            }
        }
        if (digits < 6)
        {
            return new string('*', address.Length);
        }

        var keep = CountryCodeLength(address.AsSpan(plus));
        return string.Create(address.Length, (address, plus, keep), static (span, s) =>
        {
            s.address.AsSpan().CopyTo(span);
            span[(s.plus + s.keep)..^2].Fill('*');
        });
    }

    // ITU-T E.164 country codes are 1 to 3 digits; the leading digits say which (E.164 Annex / ITU list of codes).
    private static int CountryCodeLength(ReadOnlySpan<char> digits)
    {
        if (digits[0] is '1' or '7')
        {
            return 1;
        }

        var two = (digits[0] - '0') * 10 + (digits[1] - '0');
        return two switch
        {
            20 or 27 or (>= 30 and <= 34) or 36 or 39 or 40 or 41 or (>= 43 and <= 49) or (>= 51 and <= 58) or (>= 60 and <= 66)
                or 81 or 82 or 84 or 86 or (>= 90 and <= 95) or 98 => 2,
            _ => 3,
        };
    }
}
