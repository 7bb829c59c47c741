using Instasent.Smpp.Pdus;
using Instasent.Smpp.Text;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Sending;

namespace Instasent.SmppAdapter.Tests.Sending;

public sealed class SendSmsValidatorTests
{
    private static readonly SendSms Valid = new() { MessageId = "m-1", From = "Instasent", To = "+34600000001", Text = "Hello" };

    private static SendSmsValidation Validate(SendSms command, IDictionary<string, string?>? config = null) =>
        new SendSmsValidator(TestConfig.Options(config)).Validate(command);

    private static string Rejection(SendSms command, IDictionary<string, string?>? config = null)
    {
        var result = Validate(command, config);
        Assert.False(result.IsValid);
        return result.Reason!;
    }

    [Fact]
    public void A_valid_command_gives_a_plan() => Assert.True(Validate(Valid).IsValid);

    [Theory]
    [InlineData("normal")]
    [InlineData("high")]
    public void Priority_normal_or_high_is_valid(string priority) => Assert.True(Validate(Valid with { Priority = priority }).IsValid);

    [Fact]
    public void An_unknown_priority_is_rejected_naming_the_values() =>
        Assert.Equal("priority must be normal or high (was \"urgent\")", Rejection(Valid with { Priority = "urgent" }));

    [Fact]
    public void Missing_messageId_is_rejected() =>
        Assert.StartsWith("messageId is required", Rejection(Valid with { MessageId = " " }), StringComparison.Ordinal);

    [Theory]
    [InlineData("")]
    [InlineData("+3460000")] // 7 digits
    [InlineData("+3460000000000001")] // 16 digits
    [InlineData("+0346000000")] // leading zero
    [InlineData("+34 600 000 001")]
    [InlineData("600abc001")]
    public void To_that_is_not_E164_is_rejected(string to) =>
        Assert.StartsWith("to must be an E.164 number", Rejection(Valid with { To = to }), StringComparison.Ordinal);

    [Fact]
    public void Rejection_of_to_masks_the_number() =>
        Assert.Contains("(was \"***********\")", Rejection(Valid with { To = "+1234567x78" }), StringComparison.Ordinal);

    [Theory]
    [InlineData("")]
    [InlineData("TwelveChars1")]
    [InlineData("Bad!Sender")]
    [InlineData("12")] // number shorter than 3 digits
    [InlineData("+123456789012")] // 12 digits
    public void From_outside_the_rules_is_rejected(string from) =>
        Assert.StartsWith("from ", Rejection(Valid with { From = from }), StringComparison.Ordinal);

    [Fact]
    public void Numeric_from_length_is_configurable()
    {
        Assert.True(Validate(Valid with { From = "12" }, new Dictionary<string, string?> { ["Smpp:Connections:0:SourceNumberMinLength"] = "2" }).IsValid);
        Assert.Contains("3..11 digits (was 2)", Rejection(Valid with { From = "12" }), StringComparison.Ordinal);
    }

    [Fact]
    public void Empty_text_is_rejected() =>
        Assert.Equal("text must not be empty", Rejection(Valid with { Text = "" }));

    [Fact]
    public void Text_over_MaxSegments_is_rejected_naming_the_limit() =>
        Assert.Contains("MaxSegments 2", Rejection(Valid with { Text = new string('a', 153 * 2 + 1) },
            new Dictionary<string, string?> { ["Smpp:Connections:0:MaxSegments"] = "2" }), StringComparison.Ordinal);

    [Fact]
    public void Text_that_does_not_fit_the_requested_encoding_is_rejected() =>
        Assert.Contains("U+0416 at index 2", Rejection(Valid with { Text = "abЖ", Encoding = "gsm7" }), StringComparison.Ordinal);

    [Fact]
    public void Unknown_encoding_is_rejected() =>
        Assert.StartsWith("encoding must be auto, gsm7, latin9 or ucs2", Rejection(Valid with { Encoding = "utf8" }), StringComparison.Ordinal);

    [Theory]
    [InlineData("1 hour")]
    [InlineData("P1M")]
    [InlineData("P1Y")]
    [InlineData("PT0S")]
    [InlineData("P100D")]
    [InlineData("PT0.5S")]
    public void Bad_validityPeriod_is_rejected(string value) =>
        Assert.StartsWith("validityPeriod must be", Rejection(Valid with { ValidityPeriod = value }), StringComparison.Ordinal);

    [Theory]
    [InlineData("tomorrow")]
    [InlineData("2030-01-31T09:00:00")] // no offset
    [InlineData("2030-01-31")]
    public void Bad_scheduleDeliveryTime_is_rejected(string value) =>
        Assert.StartsWith("scheduleDeliveryTime must be an ISO-8601 timestamp with an offset", Rejection(Valid with { ScheduleDeliveryTime = value }), StringComparison.Ordinal);

    [Fact]
    public void Offset_not_in_quarter_hours_is_rejected() =>
        Assert.Contains("whole quarter hours", Rejection(Valid with { ScheduleDeliveryTime = "2030-01-31T09:00:00+05:50" }), StringComparison.Ordinal);

    [Fact]
    public void Unknown_connection_is_rejected_listing_the_configured_ones() =>
        Assert.Equal("connection \"other\" is not configured (configured: instasent)", Rejection(Valid with { Connection = "other" }));

    [Fact]
    public void Absent_connection_means_the_first_configured_one() =>
        Assert.Equal("instasent", Validate(Valid).Plan!.Connection.Name);

    [Fact]
    public void Alphanumeric_sender_is_TON_5_NPI_0()
    {
        var plan = Validate(Valid).Plan!;
        Assert.Equal(new SmppAddress(Ton.Alphanumeric, Npi.Unknown, "Instasent"), plan.Source);
    }

    [Fact]
    public void International_numbers_are_TON_1_NPI_1_without_plus_by_default()
    {
        var plan = Validate(Valid with { From = "+34600000002" }).Plan!;
        Assert.Equal(new SmppAddress(Ton.International, Npi.Isdn, "34600000002"), plan.Source);
        Assert.Equal(new SmppAddress(Ton.International, Npi.Isdn, "34600000001"), plan.Destination);
    }

    [Fact]
    public void Short_code_of_up_to_8_digits_is_TON_3_NPI_0() =>
        Assert.Equal(new SmppAddress(Ton.NetworkSpecific, Npi.Unknown, "12345"), Validate(Valid with { From = "12345" }).Plan!.Source);

    [Fact]
    public void Nine_digits_without_plus_is_international() =>
        Assert.Equal(Ton.International, Validate(Valid with { From = "123456789" }).Plan!.Source.Ton);

    [Fact]
    public void TON_NPI_and_plus_are_overridable_per_connection()
    {
        var plan = Validate(Valid with { From = "12345" }, new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:Source:Ton"] = "Abbreviated",
            ["Smpp:Connections:0:Source:Npi"] = "1",
            ["Smpp:Connections:0:Destination:KeepPlus"] = "true",
        }).Plan!;
        Assert.Equal(new SmppAddress(Ton.Abbreviated, Npi.Isdn, "12345"), plan.Source);
        Assert.Equal("+34600000001", plan.Destination.Addr);
    }

    [Theory]
    [InlineData("Hello", null, SmsAlphabet.Gsm7)]
    [InlineData("Привет", null, SmsAlphabet.Ucs2)]
    [InlineData("Hello", "latin9", SmsAlphabet.Latin9)]
    [InlineData("Hello", "UCS2", SmsAlphabet.Ucs2)]
    public void Encoding_is_chosen_or_honoured(string text, string? encoding, SmsAlphabet expected) =>
        Assert.Equal(expected, Validate(Valid with { Text = text, Encoding = encoding }).Plan!.Alphabet);
}
