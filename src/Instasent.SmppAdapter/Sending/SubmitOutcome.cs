using Instasent.Smpp.Pdus;

namespace Instasent.SmppAdapter.Sending;

/// <summary>What became of one command's segments.</summary>
public abstract record SubmitOutcome
{
    /// <summary>The SMSC accepted every segment.</summary>
    public sealed record Submitted(IReadOnlyList<string> SmscMessageIds, string SessionId, DateTimeOffset SubmittedAt) : SubmitOutcome;

    /// <summary>
    /// The SMSC refused a segment for certain (<paramref name="Permanent"/>), or the outcome of a segment is unknown and
    /// the connection's policy is to report it (not permanent).
    /// </summary>
    public sealed record Rejected(string Reason, CommandStatus? Status, bool Permanent) : SubmitOutcome;

    /// <summary>
    /// Not decided in this process: the retry budget ran out or the process is stopping. The command goes back to its
    /// queue; the broker holds it.
    /// </summary>
    public sealed record HandBack(string Reason) : SubmitOutcome;
}
