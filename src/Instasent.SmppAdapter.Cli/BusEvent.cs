using System.Globalization;
using System.Text.Json;
using Instasent.SmppAdapter.Contracts;

namespace Instasent.SmppAdapter.Cli;

/// <summary>The event families a command can subscribe to; the names are the values of <c>events --types</c>.</summary>
[Flags]
internal enum EventKinds
{
    None = 0,
    Submitted = 1,
    Rejected = 2,
    Delivery = 4,
    Inbound = 8,
    Session = 16,
    All = Submitted | Rejected | Delivery | Inbound | Session,
}

/// <summary>One event received from the adapter's exchanges, as the commands print it.</summary>
/// <param name="Type">Short type name: <c>submitted</c>, <c>rejected</c>, <c>delivery</c>, <c>inbound</c>,
/// <c>session-bound</c>, <c>session-bind-failed</c> or <c>session-unbound</c>.</param>
/// <param name="Message">The contract record (<see cref="SmsSubmitted"/>, ...).</param>
internal sealed record BusEvent(string Type, object Message)
{
    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static BusEvent Of(object message) => new(message switch
    {
        SmsSubmitted => "submitted",
        SmsRejected => "rejected",
        SmsDeliveryReported => "delivery",
        InboundSmsReceived => "inbound",
        SmppSessionBound => "session-bound",
        SmppSessionBindFailed => "session-bind-failed",
        SmppSessionUnbound => "session-unbound",
        _ => throw new ArgumentException($"{message.GetType().Name} is not an event of the contract", nameof(message)),
    }, message);

    /// <summary>One JSON line: <c>{"type":"submitted","message":{...the event, camelCase...}}</c>.</summary>
    public string ToJson() =>
        JsonSerializer.Serialize(new { type = Type, message = Message }, JsonOptions);

    /// <summary>One human line: local time of the event, type, message id (or connection), then the key fields.</summary>
    public override string ToString() => Message switch
    {
        SmsSubmitted e => Line(e.SubmittedAt, e.MessageId,
            $"segments={e.Segments} smscIds={string.Join(',', e.SmscMessageIds)} connection={e.Connection} session={e.SessionId}"),
        SmsRejected e => Line(e.RejectedAt, e.MessageId,
            $"{Status(e.CommandStatus, e.CommandStatusName)}{(e.Permanent ? "permanent" : "temporary")} connection={e.Connection ?? "-"} reason=\"{e.Reason}\""),
        SmsDeliveryReported e => Line(e.ReceivedAt, e.MessageId ?? "-",
            $"{e.Status}{(e.Intermediate ? " (intermediate)" : "")} smscId={e.SmscMessageId}" +
            (e.Segment is { } segment ? $" segment={segment}/{e.Segments?.ToString(CultureInfo.InvariantCulture) ?? "?"}" : "") +
            (e.ErrorCode is { } err ? $" err={err}" : "") + $" connection={e.Connection}"),
        InboundSmsReceived e => Line(e.ReceivedAt, "-",
            $"from={e.From} to={e.To} segments={e.Segments} connection={e.Connection} text=\"{e.Text}\""),
        SmppSessionBound e => Line(e.BoundAt, e.Connection,
            $"session={e.SessionId} {e.BindType} v{e.InterfaceVersion} smsc={e.Host}:{e.Port} systemId={e.SystemId}"),
        SmppSessionBindFailed e => Line(e.FailedAt, e.Connection,
            $"session={e.SessionId} {Status(e.CommandStatus, e.CommandStatusName)}smsc={e.Host}:{e.Port} systemId={e.SystemId} reason=\"{e.Reason}\""),
        SmppSessionUnbound e => Line(e.UnboundAt, e.Connection,
            $"session={e.SessionId} {Status(e.CommandStatus, e.CommandStatusName)}smsc={e.Host}:{e.Port} reason=\"{e.Reason}\""),
        _ => $"{Type} {Message}",
    };

    /// <summary>A command_status with its name, as the style guide wants it: <c>ESME_RTHROTTLED (0x58)</c>.</summary>
    public static string StatusName(int status, string? name) =>
        $"{name ?? "status"} (0x{status:X2})";

    static string Status(int? status, string? name) =>
        status is { } value ? StatusName(value, name) + " " : "";

    string Line(DateTimeOffset at, string subject, string details) =>
        $"{at.ToLocalTime():HH:mm:ss.fff} {Type,-19} {subject} {details}";
}
