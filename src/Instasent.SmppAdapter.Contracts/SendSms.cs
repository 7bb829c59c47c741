using MassTransit;

namespace Instasent.SmppAdapter.Contracts;

/// <summary>
/// Command: send one SMS (split into as many segments as the text needs) through a bound SMPP session.
/// Sent to the queue <see cref="QueueName"/> or published (MassTransit's <c>Publish</c>, exchange
/// <see cref="ContractNames.SendSmsExchange"/>), either in MassTransit's envelope or as plain camelCase JSON
/// (content type <c>application/json</c> or none); a W3C <c>traceparent</c> header continues the sender's trace.
/// </summary>
/// <remarks>
/// Delivery is at least once. The command is acknowledged only once the SMSC answered every segment and the
/// outcome event (<see cref="SmsSubmitted"/> or <see cref="SmsRejected"/>) was confirmed by the broker.
/// <see cref="MessageId"/> is the idempotency key: a redelivered command whose final outcome is already known is not
/// submitted again, and subscribers de-duplicate outcome events on it. A crash while segments are on the wire
/// can still send the SMS twice.
/// <para>
/// No member is <c>required</c> for the deserializer: a command with a missing or malformed field is answered with a
/// permanent <see cref="SmsRejected"/> that names the field, rather than failing deserialization and landing in the
/// error queue as a poison message.
/// </para>
/// </remarks>
[MessageUrn("Instasent.SmppAdapter.Contracts:SendSms")]
[EntityName(ContractNames.SendSmsExchange)]
public sealed record SendSms
{
    /// <summary>The queue the adapter consumes this command from.</summary>
    public const string QueueName = "smpp-send-sms";

    /// <summary>The caller's id for this SMS: the idempotency key, echoed on every event about it.</summary>
    public string MessageId { get; init; } = "";

    /// <summary>Sender: an international number (<c>+34600000000</c>) or an alphanumeric sender id (up to 11 characters).</summary>
    public string From { get; init; } = "";

    /// <summary>Recipient: an international number, e.g. <c>+34600000000</c>.</summary>
    public string To { get; init; } = "";

    /// <summary>The message text; split into segments when it does not fit in one.</summary>
    public string Text { get; init; } = "";

    /// <summary>
    /// Character set: <c>auto</c> (the default when absent: GSM 7-bit if the text fits it, otherwise UCS-2),
    /// <c>gsm7</c>, <c>latin9</c> (data_coding 3 as Instasent defines it) or <c>ucs2</c>.
    /// An unknown value is answered with a permanent <see cref="SmsRejected"/>.
    /// </summary>
    public string? Encoding { get; init; }

    /// <summary>Whether to ask the SMSC for a delivery receipt (reported as <see cref="SmsDeliveryReported"/>). Default true.</summary>
    public bool RequestDeliveryReport { get; init; } = true;

    /// <summary>
    /// How long the SMSC keeps trying, as an ISO-8601 duration (e.g. <c>PT1H</c>), sent in SMPP's relative form.
    /// A string so that a malformed value becomes a permanent <see cref="SmsRejected"/>, not a poison message.
    /// </summary>
    public string? ValidityPeriod { get; init; }

    /// <summary>
    /// When the SMSC should deliver, as an ISO-8601 timestamp with offset (e.g. <c>2025-01-31T09:00:00+01:00</c>),
    /// sent in SMPP's absolute form. A string for the same reason as <see cref="ValidityPeriod"/>.
    /// </summary>
    public string? ScheduleDeliveryTime { get; init; }

    /// <summary>Name of the configured SMPP connection (account) to send through; the first configured one when absent.</summary>
    public string? Connection { get; init; }

    /// <summary>
    /// Lane within the connection: <c>normal</c> (the default when absent) or <c>high</c>, which overtakes the
    /// connection's backlog of normal commands (for one-time passwords behind a campaign). See
    /// <see cref="SmsPriorities"/>. An unknown value is answered with a permanent <see cref="SmsRejected"/>.
    /// </summary>
    public string? Priority { get; init; }

    /// <summary>Caller's key/value pairs, echoed unchanged on every event about this message.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
