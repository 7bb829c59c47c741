using MassTransit;

namespace Instasent.SmppAdapter.Contracts;

/// <summary>
/// Event: the SMSC sent a delivery receipt (a <c>deliver_sm</c> with a receipt esm_class) for a submitted segment.
/// Published when the receipt arrives; the receipt is acknowledged to the SMSC only once this event is confirmed by
/// the broker.
/// </summary>
/// <remarks>
/// At least once: the SMSC resends a receipt that was not acknowledged, so subscribers de-duplicate on
/// (<see cref="Connection"/>, <see cref="SmscMessageId"/>, <see cref="Status"/>). A long message yields one receipt
/// per segment. <see cref="MessageId"/>, <see cref="Segment"/>, <see cref="Segments"/> and <see cref="Metadata"/>
/// are present when the receipt was matched to a submission the adapter remembers.
/// </remarks>
[EntityName(ContractNames.SmsDeliveryReported)]
[MessageUrn("Instasent.SmppAdapter.Contracts:SmsDeliveryReported")]
public sealed record SmsDeliveryReported
{
    /// <summary>The <see cref="SendSms.MessageId"/> the receipt belongs to, when it was matched.</summary>
    public string? MessageId { get; init; }

    /// <summary>The SMSC's message_id of the segment, as it appeared in <see cref="SmsSubmitted.SmscMessageIds"/>.</summary>
    public required string SmscMessageId { get; init; }

    /// <summary>1-based position of the segment this receipt is about, when matched.</summary>
    public int? Segment { get; init; }

    /// <summary>How many segments the message had, when matched.</summary>
    public int? Segments { get; init; }

    /// <summary>
    /// The receipt's final or intermediate state: <c>DELIVRD</c>, <c>UNDELIV</c>, <c>EXPIRED</c>, <c>REJECTD</c>,
    /// <c>ACCEPTD</c>, <c>DELETED</c>, <c>ENROUTE</c> or <c>UNKNOWN</c>.
    /// </summary>
    public required string Status { get; init; }

    /// <summary>The receipt's <c>err:</c> field (network-specific error code), when present.</summary>
    public string? ErrorCode { get; init; }

    /// <summary>The receipt's <c>submit date</c>, when present.</summary>
    public DateTimeOffset? SubmittedAt { get; init; }

    /// <summary>The receipt's <c>done date</c>, when present.</summary>
    public DateTimeOffset? DoneAt { get; init; }

    /// <summary>When the adapter received the receipt.</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>True for an intermediate notification (e.g. <c>ENROUTE</c>, <c>ACCEPTD</c>); a final receipt follows.</summary>
    public required bool Intermediate { get; init; }

    /// <summary>Name of the SMPP connection the receipt arrived on.</summary>
    public required string Connection { get; init; }

    /// <summary>The <see cref="SendSms.Metadata"/> of the matched command, when matched.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
