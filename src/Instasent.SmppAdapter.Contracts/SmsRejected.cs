using MassTransit;

namespace Instasent.SmppAdapter.Contracts;

/// <summary>
/// Event: a <see cref="SendSms"/> will not be (or could not be) sent: the input was invalid, the SMSC refused
/// a segment, or its outcome stayed unknown. Published once per command, before the command is acknowledged.
/// <see cref="Code"/> says which, for programs; <see cref="Reason"/> says it for people.
/// </summary>
/// <remarks>
/// At least once: subscribers de-duplicate on <see cref="MessageId"/>. Temporary refusals (ESME_RTHROTTLED,
/// ESME_RMSGQFUL) are never reported here: the adapter resends after a back-off and, when its retry budget is spent,
/// hands the command back to its queue. <see cref="Permanent"/> is false only when the outcome is unknown (no answer
/// to a segment that went out) and the connection's <c>UnknownOutcome</c> policy is <c>Report</c>. An SMSC outage is
/// not a rejection: commands wait in the queue instead.
/// <para>
/// A rejection of a long message can come after some of its segments were accepted: they are listed in
/// <see cref="AcceptedSegments"/>. The handset may then show a fragment of the text, and delivery receipts
/// (<see cref="SmsDeliveryReported"/>) for those segments may still arrive.
/// </para>
/// </remarks>
[EntityName(ContractNames.SmsRejected)]
[MessageUrn("Instasent.SmppAdapter.Contracts:SmsRejected")]
public sealed record SmsRejected
{
    /// <summary>The <see cref="SendSms.MessageId"/> of the command: the de-duplication key.</summary>
    public required string MessageId { get; init; }

    /// <summary>
    /// Why, as a stable machine-readable value of <see cref="RejectionCodes"/> (e.g. <c>smsc_refused</c>); branch on
    /// this, not on <see cref="Reason"/>. Absent only from adapters older than contract 1.1.
    /// </summary>
    public string? Code { get; init; }

    /// <summary>What went wrong, naming the field, the value and the limit when the input was at fault.</summary>
    public required string Reason { get; init; }

    /// <summary>The SMPP command_status the SMSC answered with (e.g. 11 for ESME_RINVDSTADR), when the SMSC refused.</summary>
    public int? CommandStatus { get; init; }

    /// <summary>The name of <see cref="CommandStatus"/> (e.g. <c>ESME_RINVDSTADR</c>), when the SMSC refused.</summary>
    public string? CommandStatusName { get; init; }

    /// <summary>True when sending again cannot succeed (bad input, invalid destination); false when a later retry might.</summary>
    public required bool Permanent { get; init; }

    /// <summary>
    /// The segments the SMSC had already accepted before the rejection, with their message ids, in segment order;
    /// null or empty when none was. Receipts for them may still arrive.
    /// </summary>
    public IReadOnlyList<AcceptedSegment>? AcceptedSegments { get; init; }

    /// <summary>Name of the SMPP connection, when the command got that far (absent for e.g. an unknown connection).</summary>
    public string? Connection { get; init; }

    /// <summary>When the adapter decided the rejection.</summary>
    public required DateTimeOffset RejectedAt { get; init; }

    /// <summary>The command's <see cref="SendSms.Metadata"/>, unchanged.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>A segment of a rejected message that the SMSC had accepted (its <c>submit_sm_resp</c> was ESME_ROK).</summary>
public sealed record AcceptedSegment
{
    /// <summary>1-based position of the segment in the message, as in <see cref="SmsDeliveryReported.Segment"/>.</summary>
    public required int Segment { get; init; }

    /// <summary>The message_id the SMSC returned for the segment; delivery receipts refer to it.</summary>
    public required string SmscMessageId { get; init; }
}
