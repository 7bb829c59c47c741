using Instasent.SmppAdapter.Cli;

namespace Instasent.SmppAdapter.Cli.Tests;

/// <summary>Bad arguments exit 2 with a message naming the option and the value, before any broker is touched.</summary>
public sealed class CliArgumentsTests
{
    // A broker address nothing listens on: had validation let a command through, it would exit 3, not 2.
    private static readonly string Nowhere = $"amqp://guest:guest@127.0.0.1:{CliRun.UnusedPort()}/";

    private static Task<CliRun> Send(params string[] extra) =>
        CliRun.Of(["send", "--rabbitmq", Nowhere, "--to", "+34600000000", "--from", "Instasent", "--text", "hola", .. extra]);

    [Fact]
    public async Task Send_with_a_recipient_that_is_not_an_international_number_exits_2_naming_it()
    {
        var run = await CliRun.Of("send", "--rabbitmq", Nowhere, "--to", "0600-CALL-ME", "--from", "Instasent", "--text", "hola");

        Assert.Equal(ExitCodes.BadArguments, run.ExitCode);
        Assert.Contains("--to '0600-CALL-ME' is not an international number", run.Error);
        Assert.Equal("", run.Out);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    public async Task Send_with_a_rate_not_above_zero_exits_2(string rate)
    {
        var run = await Send("--count", "10", "--rate", rate);

        Assert.Equal(ExitCodes.BadArguments, run.ExitCode);
        Assert.Contains($"--rate {rate} must be a number of messages per second above 0", run.Error);
    }

    [Fact]
    public async Task Send_with_a_rate_that_is_not_a_number_exits_2()
    {
        var run = await Send("--rate", "fast");

        Assert.Equal(ExitCodes.BadArguments, run.ExitCode);
        Assert.Contains("--rate fast must be a number of messages per second above 0", run.Error);
    }

    [Fact]
    public async Task Send_with_an_unknown_encoding_exits_2_listing_the_known_ones()
    {
        var run = await Send("--encoding", "utf8");

        Assert.Equal(ExitCodes.BadArguments, run.ExitCode);
        Assert.Contains("'utf8'", run.Error);
        Assert.Contains("latin9", run.Error);
        Assert.Contains("See 'smpp-adapter send --help'.", run.Error);
    }

    [Fact]
    public async Task Send_without_the_required_options_exits_2_naming_each()
    {
        var run = await CliRun.Of("send", "--rabbitmq", Nowhere);

        Assert.Equal(ExitCodes.BadArguments, run.ExitCode);
        Assert.Contains("--to", run.Error);
        Assert.Contains("--from", run.Error);
        Assert.Contains("--text", run.Error);
    }

    [Fact]
    public async Task Send_with_an_alphanumeric_sender_over_11_characters_exits_2_with_its_length()
    {
        var run = await CliRun.Of("send", "--rabbitmq", Nowhere, "--to", "+34600000000", "--from", "InstasentSMS", "--text", "hola");

        Assert.Equal(ExitCodes.BadArguments, run.ExitCode);
        Assert.Contains("--from 'InstasentSMS'", run.Error);
        Assert.Contains("got 12", run.Error);
    }

    [Theory]
    [InlineData("--count", "0", "--count 0 must be a whole number, at least 1")]
    [InlineData("--count", "many", "--count many must be a whole number, at least 1")]
    [InlineData("--validity", "1 hour", "--validity '1 hour' is not a positive ISO-8601 duration")]
    [InlineData("--schedule", "2026-12-01T10:00:00", "--schedule '2026-12-01T10:00:00' is not an ISO-8601 timestamp with offset")]
    [InlineData("--meta", "tenant", "--meta 'tenant' is not key=value")]
    [InlineData("--timeout", "soon", "--timeout 'soon' is not a positive duration")]
    [InlineData("--message-id", "a b", "--message-id 'a b' must be non-empty and without spaces")]
    public async Task Send_option_with_a_bad_value_exits_2_naming_option_and_value(string option, string value, string message)
    {
        var run = await Send(option, value);

        Assert.Equal(ExitCodes.BadArguments, run.ExitCode);
        Assert.Contains(message, run.Error);
    }

    [Fact]
    public async Task Waiting_for_receipts_that_were_not_requested_exits_2()
    {
        var run = await Send("--wait-receipts", "--no-dlr");

        Assert.Equal(ExitCodes.BadArguments, run.ExitCode);
        Assert.Contains("--wait-receipts needs delivery receipts; drop --no-dlr", run.Error);
    }

    [Fact]
    public async Task Events_with_an_unknown_type_exits_2_listing_the_known_ones()
    {
        var run = await CliRun.Of("events", "--rabbitmq", Nowhere, "--types", "submitted,bounced");

        Assert.Equal(ExitCodes.BadArguments, run.ExitCode);
        Assert.Contains("--types 'bounced' is not an event type; use submitted, rejected, delivery, inbound, session", run.Error);
    }

    [Fact]
    public async Task A_rabbitmq_uri_that_is_not_amqp_exits_2_without_echoing_the_password()
    {
        var run = await CliRun.Of("send", "--rabbitmq", "http://admin:s3cret@broker:15672/", "--to", "+34600000000",
            "--from", "Instasent", "--text", "hola");

        Assert.Equal(ExitCodes.BadArguments, run.ExitCode);
        Assert.Contains("is not an AMQP URI", run.Error);
        Assert.DoesNotContain("s3cret", run.Error);
    }

    [Fact]
    public async Task No_command_exits_2_pointing_at_help()
    {
        var run = await CliRun.Of();

        Assert.Equal(ExitCodes.BadArguments, run.ExitCode);
        Assert.Contains("See 'smpp-adapter --help'.", run.Error);
    }

    [Fact]
    public void Send_options_become_the_SendSms_fields_of_the_contract()
    {
        var plan = Plan("send", "--to", "+34600000000", "--from", "Instasent", "--text", "Hola €", "--encoding", "latin9",
            "--connection", "instasent", "--no-dlr", "--validity", "PT1H", "--schedule", "2026-12-01T10:00:00+01:00",
            "--meta", "tenant=t1", "order=42", "--message-id", "order-42", "--timeout", "90s");

        var message = Assert.Single(plan.Messages);
        Assert.Equal("order-42", message.MessageId);
        Assert.Equal("Instasent", message.From);
        Assert.Equal("+34600000000", message.To);
        Assert.Equal("Hola €", message.Text);
        Assert.Equal("latin9", message.Encoding);
        Assert.False(message.RequestDeliveryReport);
        Assert.Equal("PT1H", message.ValidityPeriod);
        Assert.Equal("2026-12-01T10:00:00+01:00", message.ScheduleDeliveryTime);
        Assert.Equal("instasent", message.Connection);
        Assert.Equal(new Dictionary<string, string> { ["tenant"] = "t1", ["order"] = "42" }, message.Metadata);
        Assert.Equal(TimeSpan.FromSeconds(90), plan.Timeout);
        Assert.True(plan.WaitOutcome);
        Assert.Null(plan.Rate);
    }

    [Fact]
    public void Auto_encoding_is_left_out_of_the_command_so_the_adapter_default_applies()
    {
        var message = Assert.Single(Plan("send", "--to", "+34600000000", "--from", "Instasent", "--text", "hola").Messages);

        Assert.Null(message.Encoding);
        Assert.True(message.RequestDeliveryReport);
        Assert.StartsWith("cli-", message.MessageId, StringComparison.Ordinal);
    }

    [Fact]
    public void Count_sends_distinct_message_ids_derived_from_the_given_one()
    {
        var plan = Plan("send", "--to", "+34600000000", "--from", "Instasent", "--text", "hola", "--message-id", "load",
            "--count", "3", "--rate", "2.5", "--wait-outcome", "false");

        Assert.Equal(["load-1", "load-2", "load-3"], plan.Messages.Select(m => m.MessageId));
        Assert.Equal(2.5, plan.Rate);
        Assert.False(plan.WaitOutcome);
    }

    private static SendPlan Plan(params string[] args)
    {
        var environment = new CliEnvironment(TextWriter.Null, TextWriter.Null, false, TimeProvider.System, HandleCtrlC: false);
        var parseResult = CliApp.Build(environment).Parse(args);
        Assert.Empty(parseResult.Errors);
        return Assert.IsType<SendCommand>(parseResult.CommandResult.Command).Plan(parseResult);
    }
}
