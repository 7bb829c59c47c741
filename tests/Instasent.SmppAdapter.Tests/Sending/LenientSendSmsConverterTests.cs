using System.Text.Json;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Sending;
using MassTransit.Serialization;

namespace Instasent.SmppAdapter.Tests.Sending;

/// <summary>A command whose JSON does not fit the contract becomes an <c>invalid_input</c> rejection, not a fault.</summary>
public sealed class LenientSendSmsConverterTests
{
    static LenientSendSmsConverterTests() => BusPolicy.AddJsonConverter(new LenientSendSmsConverter());

    [Fact]
    public void A_command_that_fits_reads_as_usual_with_no_problem()
    {
        var command = Read("""{"messageId":"m1","from":"Instasent","to":"+34600000000","text":"hi"}""");
        Assert.Equal(("m1", "+34600000000", "hi"), (command.MessageId, command.To, command.Text));
        Assert.False(LenientSendSmsConverter.TryGetProblem(command, out _));
    }

    [Fact]
    public void A_number_where_a_string_belongs_names_the_field_and_keeps_the_messageId_and_metadata()
    {
        var command = Read("""{"messageId":"m2","from":"Instasent","to":34600000000,"text":"hi","metadata":{"order":"42"}}""");

        Assert.True(LenientSendSmsConverter.TryGetProblem(command, out var problem));
        Assert.Contains("$.to", problem, StringComparison.Ordinal);
        Assert.Equal("m2", command.MessageId);
        Assert.Equal("42", command.Metadata!["order"]);
    }

    [Fact]
    public void The_validator_rejects_a_command_whose_JSON_did_not_fit()
    {
        var command = Read("""{"messageId":"m3","from":"Instasent","to":"+34600000000","text":{"body":"hi"}}""");
        var result = new SendSmsValidator(TestConfig.Options()).Validate(command);
        Assert.False(result.IsValid);
        Assert.Contains("$.text", result.Reason, StringComparison.Ordinal);
    }

    private static SendSms Read(string json) => JsonSerializer.Deserialize<SendSms>(json, SystemTextJsonMessageSerializer.Options)!;
}
