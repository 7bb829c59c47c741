using System.Text.Json;
using Instasent.SmppAdapter.Contracts;
using MassTransit.Serialization;

namespace Instasent.SmppAdapter.Tests.Contracts;

/// <summary>
/// The compatibility rule of the contract's README: within a major version changes are additive, so payloads of an
/// older minor version still deserialize, and an older subscriber still reads a newer payload. Read with MassTransit's
/// own serializer options, the ones the bus and the raw-JSON endpoint use.
/// </summary>
public sealed class ContractCompatibilityTests
{
    private static JsonSerializerOptions Bus => SystemTextJsonMessageSerializer.Options;

    public static TheoryData<Type, string, string[]> Payloads10 => new()
    {
        {
            typeof(SendSms),
            """{"messageId":"m1","from":"Instasent","to":"+34600000001","text":"hi","encoding":"auto"}""",
            [nameof(SendSms.Priority)]
        },
        {
            typeof(SmsRejected),
            """
            {"messageId":"m1","reason":"segment 1 of 1 refused by the SMSC with ESME_RINVDSTADR (0x0B)",
             "commandStatus":11,"commandStatusName":"ESME_RINVDSTADR","permanent":true,"connection":"instasent",
             "rejectedAt":"2026-11-25T20:21:45.0000000+00:00","metadata":{"tenant":"acme"}}
            """,
            [nameof(SmsRejected.Code), nameof(SmsRejected.AcceptedSegments)]
        },
        {
            typeof(InboundSmsReceived),
            """
            {"from":"+34600000009","to":"Instasent","text":"Got it","receivedAt":"2026-11-25T20:21:46.243+00:00",
             "segments":1,"connection":"instasent","smscMessageId":null}
            """,
            [nameof(InboundSmsReceived.Id)]
        },
    };

    [Theory]
    [MemberData(nameof(Payloads10))]
    public void Payload_of_contract_1_0_deserializes_with_the_fields_added_in_1_1_absent(
        Type messageType, string json, string[] added)
    {
        var message = JsonSerializer.Deserialize(json, messageType, Bus);

        Assert.NotNull(message);
        Assert.All(added, name => Assert.Null(messageType.GetProperty(name)!.GetValue(message)));
    }

    /// <summary><see cref="SmsRejected"/> as contract 1.0 defined it: what a subscriber built then deserializes into.</summary>
    private sealed record SmsRejected10
    {
        public required string MessageId { get; init; }
        public required string Reason { get; init; }
        public int? CommandStatus { get; init; }
        public required bool Permanent { get; init; }
        public required DateTimeOffset RejectedAt { get; init; }
    }

    [Fact]
    public void Subscriber_of_contract_1_0_reads_an_SmsRejected_with_the_fields_added_in_1_1()
    {
        var rejected = new SmsRejected
        {
            MessageId = "m1", Code = RejectionCodes.SmscRefused, Reason = "refused", CommandStatus = 11,
            CommandStatusName = "ESME_RINVDSTADR", Permanent = true, RejectedAt = DateTimeOffset.UnixEpoch,
            AcceptedSegments = [new AcceptedSegment { Segment = 1, SmscMessageId = "a1" }],
        };

        var old = JsonSerializer.Deserialize<SmsRejected10>(JsonSerializer.Serialize(rejected, Bus), Bus);

        Assert.Equal(new SmsRejected10 { MessageId = "m1", Reason = "refused", CommandStatus = 11, Permanent = true,
            RejectedAt = DateTimeOffset.UnixEpoch }, old);
    }
}
