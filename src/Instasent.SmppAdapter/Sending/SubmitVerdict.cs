using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Sending;

/// <summary>What to do with a segment after one submit_sm.</summary>
public enum SegmentAction
{
    /// <summary>ESME_ROK: record the segment's id and go on to the next one.</summary>
    Accepted,

    /// <summary>The PDU never left (no session, the window closed before it was written): send it again, uncounted.</summary>
    SendAgain,

    /// <summary>ESME_RTHROTTLED / ESME_RMSGQFUL ("not now, too fast"): the connection's limiter pauses, then resend.</summary>
    PauseAndResend,

    /// <summary>ESME_RSYSERR / ESME_RX_T_APPN ("not now"): resend after this command's own back-off.</summary>
    BackOffAndResend,

    /// <summary>No answer after the PDU went out: resend with the same concatenation reference.</summary>
    ResendUnknown,

    /// <summary>No answer, and the connection reports unknown outcomes or the segment's unanswered sends are spent.</summary>
    GiveUpUnknown,

    /// <summary>Refused for certain: a permanent rejection naming the status.</summary>
    Refused,
}

/// <summary>
/// The submit decision as a pure function, kept out of the loop that sends (DESIGN.md, delivery guarantees). A status
/// counts the same whether it came in a submit_sm_resp or a generic_nack. A response that did not decode, a response
/// timeout, or a session lost after the PDU was written leave the outcome unknown.
/// </summary>
public static class SubmitVerdict
{
    /// <param name="status">The command_status the SMSC answered (submit_sm_resp or generic_nack); null when none came.</param>
    /// <param name="failure">The request's failure when no usable answer came.</param>
    /// <param name="policy">The connection's <c>UnknownOutcome</c> policy.</param>
    /// <param name="unansweredSends">The segment's sends that got no answer, across every attempt, this one included.</param>
    /// <param name="maxUnknownOutcomeResends"><c>Adapter:MaxUnknownOutcomeResends</c>.</param>
    public static SegmentAction Decide(CommandStatus? status, SmppRequestException? failure, UnknownOutcomePolicy policy,
        int unansweredSends, int maxUnknownOutcomeResends)
    {
        if (status is { } answered)
        {
            return answered switch
            {
                CommandStatus.ESME_ROK => SegmentAction.Accepted,
                _ when answered.IsTransient() => SegmentAction.PauseAndResend,
                CommandStatus.ESME_RSYSERR or CommandStatus.ESME_RX_T_APPN => SegmentAction.BackOffAndResend,
                _ => SegmentAction.Refused,
            };
        }
        if (failure is { WasSent: false })
        {
            return SegmentAction.SendAgain;
        }
        return MaySend(policy, unansweredSends, maxUnknownOutcomeResends) ? SegmentAction.ResendUnknown : SegmentAction.GiveUpUnknown;
    }

    /// <summary>
    /// Whether a segment with <paramref name="unansweredSends"/> unanswered sends behind it may go out again: at most
    /// 1 + <paramref name="maxUnknownOutcomeResends"/> sends in all, and only one under the <c>Report</c> policy.
    /// </summary>
    public static bool MaySend(UnknownOutcomePolicy policy, int unansweredSends, int maxUnknownOutcomeResends) =>
        unansweredSends < (policy == UnknownOutcomePolicy.Report ? 1 : 1 + maxUnknownOutcomeResends);
}
