using MassTransit;

namespace Instasent.SmppAdapter.Contracts;

/// <summary>
/// Event: a <see cref="SendSms"/> will not be (or could not be) sent: the input was invalid, or the SMSC refused
/// a segment. Published once per command, before the command is acknowledged.
/// </summary>
/// <remarks>
/// At least once: subscribers de-duplicate on <see cref="MessageId"/>. Temporary refusals (ESME_RTHROTTLED,
/// ESME_RMSGQFUL) are never reported here: the adapter resends after a back-off and, when its retry budget is spent,
/// hands the command back to its queue. <see cref="Permanent"/> is false only when the outcome is unknown (no answer
/// to a segment that went out) and the connection's <c>UnknownOutcome</c> policy is <c>Report</c>. An SMSC outage is
/// not a rejection: commands wait in the queue instead.
/// </remarks>
[EntityName(ContractNames.SmsRejected)]
public sealed record SmsRejected
{
    /// <summary>The <see cref="SendSms.MessageId"/> of the command: the de-duplication key.</summary>
    public required string MessageId { get; init; }

    /// <summary>A stable, machine-readable cause: one of <see cref="RejectionCodes"/>.</summary>
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
    /// The segments the SMSC had already accepted before the rejection (a long SMS refused part-way), with their ids:
    /// the handset may get these parts, and their delivery receipts may still arrive. Null when none was accepted.
    /// </summary>
    public IReadOnlyList<AcceptedSegment>? AcceptedSegments { get; init; }

    /// <summary>Name of the SMPP connection, when the command got that far (absent for e.g. an unknown connection).</summary>
    public string? Connection { get; init; }

    /// <summary>When the adapter decided the rejection.</summary>
    public required DateTimeOffset RejectedAt { get; init; }

    /// <summary>The command's <see cref="SendSms.Metadata"/>, unchanged.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>A segment the SMSC accepted: its 1-based position and the id the SMSC gave it.</summary>
public sealed record AcceptedSegment
{
    /// <summary>1-based position of the segment in the SMS.</summary>
    public required int Segment { get; init; }

    /// <summary>The SMSC's message_id for the segment, as its receipt will name it.</summary>
    public required string SmscMessageId { get; init; }
}

/// <summary>The values of <see cref="SmsRejected.Code"/>. New codes may be added within a major version.</summary>
public static class RejectionCodes
{
    /// <summary>The command was invalid (a field's value or JSON type, an unknown connection). Permanent.</summary>
    public const string InvalidInput = "invalid_input";

    /// <summary>The SMSC refused a segment for certain; <see cref="SmsRejected.CommandStatus"/> says why. Permanent.</summary>
    public const string SmscRefused = "smsc_refused";

    /// <summary>
    /// A segment went out and its answer never came, and the connection's policy reports that (<c>UnknownOutcome=Report</c>)
    /// or the segment was already sent as often as <c>MaxUnknownOutcomeResends</c> allows. Not permanent: the SMS may have
    /// been delivered.
    /// </summary>
    public const string UnknownOutcome = "unknown_outcome";

    /// <summary>No final outcome after <c>Adapter:MaxHandBacks</c> attempts (e.g. the SMSC kept throttling). Not permanent.</summary>
    public const string HandBacksExhausted = "handbacks_exhausted";
}
