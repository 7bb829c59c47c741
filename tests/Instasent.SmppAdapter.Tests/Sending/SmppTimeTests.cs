using Instasent.SmppAdapter.Sending;

namespace Instasent.SmppAdapter.Tests.Sending;

public sealed class SmppTimeTests
{
    [Theory]
    [InlineData("PT1H", "000000010000000R")]
    [InlineData("P2DT3H4M5S", "000002030405000R")]
    [InlineData("PT90M", "000000013000000R")]
    [InlineData("P99DT23H59M59S", "000099235959000R")]
    public void Duration_becomes_SMPP_relative_time(string iso, string smpp)
    {
        Assert.True(SmppTime.TryRelative(iso, out var value, out _));
        Assert.Equal(smpp, value);
    }

    [Theory]
    [InlineData("2030-01-31T09:00:00+01:00", "300131090000004+")]
    [InlineData("2030-01-31T09:00:00.250Z", "300131090000200+")]
    [InlineData("2030-12-01T23:59:59-03:30", "301201235959014-")]
    [InlineData("2030-06-15T10:00:00+05:45", "300615100000023+")]
    public void Timestamp_becomes_SMPP_absolute_time_with_quarter_hour_offset(string iso, string smpp)
    {
        Assert.True(SmppTime.TryAbsolute(iso, out var value, out _));
        Assert.Equal(smpp, value);
    }
}
