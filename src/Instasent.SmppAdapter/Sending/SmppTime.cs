using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;

namespace Instasent.SmppAdapter.Sending;

/// <summary>SMPP time formats (SMPP 3.4 §7.1.1), from the ISO-8601 values of <c>SendSms</c>.</summary>
public static partial class SmppTime
{
    /// <summary>Longest relative validity: DD is two digits, and we do not use YY/MM because months vary in length.</summary>
    public static readonly TimeSpan MaxRelative = TimeSpan.FromDays(99) + new TimeSpan(23, 59, 59);

    /// <summary>
    /// ISO-8601 duration (<c>PT1H</c>, <c>P2DT3H</c>) to relative <c>YYMMDDhhmmss000R</c>, whole seconds, 1 s..99 days.
    /// Years and months are refused (their length in days is ambiguous).
    /// </summary>
    public static bool TryRelative(string value, out string smpp, out string? error)
    {
        smpp = "";
        TimeSpan span;
        try
        {
            if (value.Contains('Y', StringComparison.Ordinal) || DatePart(value).Contains('M', StringComparison.Ordinal))
            {
                throw new FormatException();
            }
            span = XmlConvert.ToTimeSpan(value);
        }
        catch (FormatException)
        {
            error = $"validityPeriod must be an ISO-8601 duration in days, hours, minutes and seconds such as PT1H or P2DT12H (was \"{value}\")";
            return false;
        }
        catch (OverflowException)
        {
            error = $"validityPeriod must be at most {MaxRelative} (was \"{value}\")";
            return false;
        }
        if (span < TimeSpan.FromSeconds(1) || span > MaxRelative || span.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            error = $"validityPeriod must be whole seconds within PT1S..P99DT23H59M59S (was \"{value}\")";
            return false;
        }
        error = null;
        smpp = string.Create(CultureInfo.InvariantCulture, $"0000{span.Days:00}{span.Hours:00}{span.Minutes:00}{span.Seconds:00}000R");
        return true;
    }

    /// <summary>
    /// ISO-8601 timestamp with an offset (<c>2025-01-31T09:00:00+01:00</c> or <c>...Z</c>) to absolute
    /// <c>YYMMDDhhmmsstnnp</c>: local time, tenths of a second, offset in quarter hours, sign. The offset must be a multiple
    /// of 15 minutes (§7.1.1 cannot express others); the year must be 2000..2099 (YY).
    /// </summary>
    public static bool TryAbsolute(string value, out string smpp, out string? error)
    {
        smpp = "";
        if (!WithOffset().IsMatch(value)
            || !DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            error = $"scheduleDeliveryTime must be an ISO-8601 timestamp with an offset such as 2025-01-31T09:00:00+01:00 (was \"{value}\")";
            return false;
        }
        if (time.Offset.Ticks % TimeSpan.FromMinutes(15).Ticks != 0 || time.Year is < 2000 or > 2099)
        {
            error = $"scheduleDeliveryTime must have an offset in whole quarter hours and a year in 2000..2099 (was \"{value}\")";
            return false;
        }
        error = null;
        smpp = Absolute(time);
        return true;
    }

    public static string Absolute(DateTimeOffset time)
    {
        var quarters = (int)Math.Abs(time.Offset.TotalMinutes / 15);
        var sign = time.Offset < TimeSpan.Zero ? '-' : '+';
        return string.Create(CultureInfo.InvariantCulture,
            $"{time.Year % 100:00}{time.Month:00}{time.Day:00}{time.Hour:00}{time.Minute:00}{time.Second:00}{time.Millisecond / 100}{quarters:00}{sign}");
    }

    private static string DatePart(string value)
    {
        var t = value.IndexOf('T', StringComparison.Ordinal);
        return t < 0 ? value : value[..t];
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex WithOffset();
}
