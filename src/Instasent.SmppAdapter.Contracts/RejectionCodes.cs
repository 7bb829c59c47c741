namespace Instasent.SmppAdapter.Contracts;

/// <summary>
/// The values of <see cref="SmsRejected.Code"/>: why a <see cref="SendSms"/> was rejected, stable across versions.
/// New codes may be added in a minor version, so treat an unknown one like <see cref="UnknownOutcome"/>.
/// </summary>
public static class RejectionCodes
{
    /// <summary>
    /// The command itself is wrong: a missing or malformed field, a field of the wrong JSON type, a value out of its
    /// limits, or an unknown connection. <see cref="SmsRejected.Reason"/> names the field, the value and the limit.
    /// Permanent: nothing was sent, and sending the same command again fails the same way.
    /// </summary>
    public const string InvalidInput = "invalid_input";

    /// <summary>
    /// The SMSC refused a segment for certain (e.g. ESME_RINVDSTADR); <see cref="SmsRejected.CommandStatus"/> and
    /// <see cref="SmsRejected.CommandStatusName"/> say with what. Temporary refusals (ESME_RTHROTTLED, ESME_RMSGQFUL)
    /// are resent, never reported with this code.
    /// </summary>
    public const string SmscRefused = "smsc_refused";

    /// <summary>
    /// A segment went out but the SMSC's answer never came (a response timeout or a disconnect), and either the
    /// connection's <c>UnknownOutcome</c> policy is to report it, or the resends it allows ran out. The SMS may or
    /// may not reach the handset; <see cref="SmsRejected.Permanent"/> is false.
    /// </summary>
    public const string UnknownOutcome = "unknown_outcome";

    /// <summary>
    /// No final outcome after the command was handed back to its queue <c>Adapter:MaxHandBacks</c> times (each
    /// hand-back follows a spent in-process retry budget, e.g. a long run of ESME_RTHROTTLED).
    /// </summary>
    public const string HandBacksExhausted = "handbacks_exhausted";

    /// <summary>Every code, for validation and documentation.</summary>
    public static IReadOnlyList<string> All { get; } = [InvalidInput, SmscRefused, UnknownOutcome, HandBacksExhausted];
}
