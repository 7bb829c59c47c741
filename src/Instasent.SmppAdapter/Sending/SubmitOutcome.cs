using Instasent.SmppAdapter.Stores;

namespace Instasent.SmppAdapter.Sending;

/// <summary>What became of one command's segments.</summary>
public abstract record SubmitOutcome
{
    /// <summary>
    /// The SMSC accepted every segment. The last segment's acceptance is recorded only with the outcome
    /// (<see cref="IdempotencyClaim.CompleteAsync"/>), together with <paramref name="LastCorrelation"/> when a receipt was
    /// asked for: the outcome must be recorded even through a store outage, or the next attempt would send that segment again.
    /// </summary>
    public sealed record Submitted(IReadOnlyList<string> SmscMessageIds, string SessionId, DateTimeOffset SubmittedAt, AcceptedCorrelation? LastCorrelation = null)
        : SubmitOutcome;

    /// <summary>
    /// The SMSC refused a segment for certain (<paramref name="Permanent"/>), a segment's outcome stayed unknown, or the
    /// command was handed back as often as allowed. <paramref name="Code"/> is one of <see cref="RejectionCodes"/>;
    /// <paramref name="Accepted"/> names the segments the SMSC took before that.
    /// </summary>
    public sealed record Rejected(string Code, string Reason, CommandStatus? Status, bool Permanent, IReadOnlyList<AcceptedSegment>? Accepted = null)
        : SubmitOutcome;

    /// <summary>
    /// Not decided in this process: the retry budget ran out or the process is stopping. The command goes back to its
    /// queue; the broker holds it. <paramref name="Counts"/> is false when the command is not at fault (the adapter is
    /// stopping), so the hand-back does not count toward <c>Adapter:MaxHandBacks</c>.
    /// </summary>
    public sealed record HandBack(string Reason, bool Counts = true) : SubmitOutcome;
}
