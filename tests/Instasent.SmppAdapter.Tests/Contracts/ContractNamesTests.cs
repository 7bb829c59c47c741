using System.Reflection;
using System.Text.Json;
using Instasent.SmppAdapter.Contracts;
using MassTransit;

namespace Instasent.SmppAdapter.Tests.Contracts;

/// <summary>
/// The broker names and JSON field names of the public contract, as DESIGN.md ("The public contract") pins them.
/// Upstream services code against these strings; a rename here is a breaking change.
/// </summary>
public sealed class ContractNamesTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);
    private static readonly DateTimeOffset At = new(2025, 1, 31, 9, 0, 0, TimeSpan.FromHours(1));
    private static readonly IReadOnlyDictionary<string, string> Meta = new Dictionary<string, string> { ["tenant"] = "t1" };

    [Fact]
    public void SendSms_queue_is_smpp_send_sms()
    {
        Assert.Equal("smpp-send-sms", SendSms.QueueName);
        Assert.Equal("smpp-send-sms", ContractNames.SendSmsQueue);
    }

    public static TheoryData<Type, string> Exchanges => new()
    {
        { typeof(SmsSubmitted), "smpp.sms-submitted" },
        { typeof(SmsRejected), "smpp.sms-rejected" },
        { typeof(SmsDeliveryReported), "smpp.sms-delivery-reported" },
        { typeof(InboundSmsReceived), "smpp.inbound-sms-received" },
        { typeof(SmppSessionBound), "smpp.session-bound" },
        { typeof(SmppSessionBindFailed), "smpp.session-bind-failed" },
        { typeof(SmppSessionUnbound), "smpp.session-unbound" },
    };

    [Theory]
    [MemberData(nameof(Exchanges))]
    public void Event_is_published_to_its_pinned_exchange(Type eventType, string exchange)
    {
        var attribute = eventType.GetCustomAttribute<EntityNameAttribute>();

        Assert.NotNull(attribute);
        Assert.Equal(exchange, attribute.EntityName);
        Assert.Contains(exchange, ContractNames.EventExchanges);
    }

    [Fact]
    public void Every_event_exchange_belongs_to_exactly_one_event_type()
    {
        var pinned = typeof(SendSms).Assembly.GetExportedTypes()
            .Where(t => t != typeof(SendSms))
            .Select(t => t.GetCustomAttribute<EntityNameAttribute>()?.EntityName)
            .OfType<string>()
            .Order()
            .ToArray();

        Assert.Equal(ContractNames.EventExchanges.Order().ToArray(), pinned);
    }

    [Fact]
    public void A_published_SendSms_goes_to_its_own_pinned_exchange()
    {
        Assert.Equal(ContractNames.SendSmsExchange, typeof(SendSms).GetCustomAttribute<EntityNameAttribute>()?.EntityName);
        Assert.DoesNotContain(ContractNames.SendSmsExchange, ContractNames.EventExchanges);
    }

    public static TheoryData<Type, string> MessageUrns => new()
    {
        { typeof(SendSms), "urn:message:Instasent.SmppAdapter.Contracts:SendSms" },
        { typeof(SmsSubmitted), "urn:message:Instasent.SmppAdapter.Contracts:SmsSubmitted" },
        { typeof(SmsRejected), "urn:message:Instasent.SmppAdapter.Contracts:SmsRejected" },
        { typeof(SmsDeliveryReported), "urn:message:Instasent.SmppAdapter.Contracts:SmsDeliveryReported" },
        { typeof(InboundSmsReceived), "urn:message:Instasent.SmppAdapter.Contracts:InboundSmsReceived" },
        { typeof(SmppSessionBound), "urn:message:Instasent.SmppAdapter.Contracts:SmppSessionBound" },
        { typeof(SmppSessionBindFailed), "urn:message:Instasent.SmppAdapter.Contracts:SmppSessionBindFailed" },
        { typeof(SmppSessionUnbound), "urn:message:Instasent.SmppAdapter.Contracts:SmppSessionUnbound" },
    };

    // The URNs are the ones MassTransit derived from the namespace before they were pinned (contract 1.0), so
    // publishers and subscribers built before the pin still match; the attribute keeps them when code moves.
    [Theory]
    [MemberData(nameof(MessageUrns))]
    public void Message_type_is_pinned_to_the_urn_it_had_on_the_wire(Type messageType, string urn)
    {
        Assert.NotNull(messageType.GetCustomAttribute<MessageUrnAttribute>());
        Assert.Equal(urn, MessageUrn.ForTypeString(messageType));
    }

    [Fact]
    public void Every_command_and_event_has_a_pinned_urn()
    {
        var messages = typeof(SendSms).Assembly.GetExportedTypes()
            .Where(t => t == typeof(SendSms) || t.GetCustomAttribute<EntityNameAttribute>() is not null);
        var pinned = typeof(SendSms).Assembly.GetExportedTypes()
            .Where(t => t.GetCustomAttribute<MessageUrnAttribute>() is not null);

        Assert.Equal(messages.Select(t => t.Name).Order(), pinned.Select(t => t.Name).Order());
        Assert.Equal(MessageUrns.Select(row => ((Type)row[0]).Name).Order(), pinned.Select(t => t.Name).Order());
    }

    public static TheoryData<object, string[]> Samples => new()
    {
        {
            new SendSms
            {
                MessageId = "m1", From = "Instasent", To = "+34600000000", Text = "hi", Encoding = "auto",
                ValidityPeriod = "PT1H", ScheduleDeliveryTime = "2025-01-31T09:00:00+01:00", Connection = "instasent",
                Priority = SmsPriorities.High, Metadata = Meta,
            },
            ["messageId", "from", "to", "text", "encoding", "requestDeliveryReport", "validityPeriod",
                "scheduleDeliveryTime", "connection", "priority", "metadata"]
        },
        {
            new SmsSubmitted
            {
                MessageId = "m1", SmscMessageIds = ["a1", "a2"], Segments = 2, Connection = "instasent",
                SessionId = "s1", SubmittedAt = At, Metadata = Meta,
            },
            ["messageId", "smscMessageIds", "segments", "connection", "sessionId", "submittedAt", "metadata"]
        },
        {
            new SmsRejected
            {
                MessageId = "m1", Code = RejectionCodes.SmscRefused, Reason = "ESME_RINVDSTADR (0x0000000B)",
                CommandStatus = 11, CommandStatusName = "ESME_RINVDSTADR", Permanent = true,
                AcceptedSegments = [new AcceptedSegment { Segment = 1, SmscMessageId = "a1" }], Connection = "instasent",
                RejectedAt = At, Metadata = Meta,
            },
            ["messageId", "code", "reason", "commandStatus", "commandStatusName", "permanent", "acceptedSegments",
                "connection", "rejectedAt", "metadata"]
        },
        {
            new SmsDeliveryReported
            {
                MessageId = "m1", SmscMessageId = "a1", Segment = 1, Segments = 2, Status = "DELIVRD",
                ErrorCode = "000", SubmittedAt = At, DoneAt = At, ReceivedAt = At, Intermediate = false,
                Connection = "instasent", Metadata = Meta,
            },
            ["messageId", "smscMessageId", "segment", "segments", "status", "errorCode", "submittedAt", "doneAt",
                "receivedAt", "intermediate", "connection", "metadata"]
        },
        {
            new AcceptedSegment { Segment = 1, SmscMessageId = "a1" },
            ["segment", "smscMessageId"]
        },
        {
            new InboundSmsReceived
            {
                Id = "x1", From = "+34600000000", To = "12345", Text = "hello", ReceivedAt = At, Segments = 1,
                Connection = "instasent", SmscMessageId = "x1",
            },
            ["id", "from", "to", "text", "receivedAt", "segments", "connection", "smscMessageId"]
        },
        {
            new SmppSessionBound
            {
                Connection = "instasent", SessionId = "s1", SystemId = "demo", BindType = "transceiver",
                InterfaceVersion = "3.4", Host = "smpp.instasent.com", Port = 2775, BoundAt = At,
            },
            ["connection", "sessionId", "systemId", "bindType", "interfaceVersion", "host", "port", "boundAt"]
        },
        {
            new SmppSessionBindFailed
            {
                Connection = "instasent", SessionId = "s1", SystemId = "demo", BindType = "transceiver",
                InterfaceVersion = "3.4", Host = "smpp.instasent.com", Port = 2775, FailedAt = At, CommandStatus = 14,
                CommandStatusName = "ESME_RINVPASWD", Reason = "ESME_RINVPASWD (0x0000000E)",
            },
            ["connection", "sessionId", "systemId", "bindType", "interfaceVersion", "host", "port", "failedAt",
                "commandStatus", "commandStatusName", "reason"]
        },
        {
            new SmppSessionUnbound
            {
                Connection = "instasent", SessionId = "s1", SystemId = "demo", BindType = "transceiver",
                InterfaceVersion = "5.0", Host = "smpp.instasent.com", Port = 2775, UnboundAt = At, Reason = "shutdown",
            },
            ["connection", "sessionId", "systemId", "bindType", "interfaceVersion", "host", "port", "unboundAt",
                "reason", "commandStatus", "commandStatusName"]
        },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Record_serializes_with_the_camelCase_field_names_of_the_design(object record, string[] fields)
    {
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(record, record.GetType(), Web));
        var names = json.RootElement.EnumerateObject().Select(p => p.Name).Order().ToArray();

        Assert.Equal(fields.Order().ToArray(), names);
    }

    [Fact]
    public void SendSms_from_plain_json_defaults_to_a_delivery_report_and_keeps_bad_values_as_strings()
    {
        const string body = """
            {"messageId":"m1","from":"Instasent","to":"+34600000000","text":"hi","validityPeriod":"one hour"}
            """;

        var command = JsonSerializer.Deserialize<SendSms>(body, Web);

        Assert.NotNull(command);
        Assert.True(command.RequestDeliveryReport);
        Assert.Equal("one hour", command.ValidityPeriod);
        Assert.Null(command.Encoding);
    }

    [Fact]
    public void SendSms_with_missing_fields_still_deserializes_so_it_can_be_rejected_by_name()
    {
        var command = JsonSerializer.Deserialize<SendSms>("""{"messageId":"m1"}""", Web);

        Assert.NotNull(command);
        Assert.Equal("m1", command.MessageId);
        Assert.Equal("", command.Text);
    }
}
