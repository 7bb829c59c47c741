using Instasent.Smpp.Client;
using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Sending;

namespace Instasent.SmppAdapter.Tests.Sending;

/// <summary>What each answer to a submit_sm means, as a table (DESIGN.md, delivery guarantees).</summary>
public sealed class SubmitVerdictTests
{
    private const int MaxResends = 2;

    public static TheoryData<CommandStatus, SegmentAction> Answers => new()
    {
        { CommandStatus.ESME_ROK, SegmentAction.Accepted },
        { CommandStatus.ESME_RTHROTTLED, SegmentAction.PauseAndResend },
        { CommandStatus.ESME_RMSGQFUL, SegmentAction.PauseAndResend },
        { CommandStatus.ESME_RSYSERR, SegmentAction.BackOffAndResend },
        { CommandStatus.ESME_RX_T_APPN, SegmentAction.BackOffAndResend },
        { CommandStatus.ESME_RINVDSTADR, SegmentAction.Refused },
        { CommandStatus.ESME_RINVSRCADR, SegmentAction.Refused },
        { CommandStatus.ESME_RSUBMITFAIL, SegmentAction.Refused },
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void A_submit_sm_resp_status_decides_the_segment(CommandStatus status, SegmentAction expected) =>
        Assert.Equal(expected, SubmitVerdict.Decide(status, null, UnknownOutcomePolicy.Resend, 0, MaxResends));

    [Theory]
    [MemberData(nameof(Answers))]
    public void A_generic_nack_status_counts_the_same_as_in_a_submit_sm_resp(CommandStatus status, SegmentAction expected)
    {
        var nack = new SmppGenericNackException(CommandId.SubmitSm, 7, status, "s1");
        Assert.Equal(expected, SubmitVerdict.Decide(status, nack, UnknownOutcomePolicy.Resend, 0, MaxResends));
    }

    public static TheoryData<SmppRequestException, UnknownOutcomePolicy, int, SegmentAction> Failures => new()
    {
        // Never written: sent again, whatever the policy and the count.
        { Timeout(wasSent: false), UnknownOutcomePolicy.Report, 5, SegmentAction.SendAgain },
        { Closed(wasSent: false), UnknownOutcomePolicy.Resend, 5, SegmentAction.SendAgain },
        // Written, no answer: resent while the segment's sends stay within 1 + MaxUnknownOutcomeResends.
        { Timeout(wasSent: true), UnknownOutcomePolicy.Resend, 1, SegmentAction.ResendUnknown },
        { Timeout(wasSent: true), UnknownOutcomePolicy.Resend, 2, SegmentAction.ResendUnknown },
        { Timeout(wasSent: true), UnknownOutcomePolicy.Resend, 3, SegmentAction.GiveUpUnknown },
        { Closed(wasSent: true), UnknownOutcomePolicy.Resend, 1, SegmentAction.ResendUnknown },
        // An answer that does not decode tells nothing: unknown, like no answer.
        { new SmppProtocolException(CommandId.SubmitSm, 9, "message_id of 70 octets"), UnknownOutcomePolicy.Resend, 1, SegmentAction.ResendUnknown },
        { new SmppProtocolException(CommandId.SubmitSm, 9, "message_id of 70 octets"), UnknownOutcomePolicy.Resend, 3, SegmentAction.GiveUpUnknown },
        // Report: the first unknown outcome is reported.
        { Timeout(wasSent: true), UnknownOutcomePolicy.Report, 1, SegmentAction.GiveUpUnknown },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void A_request_without_a_usable_answer_is_sent_again_resent_or_given_up(SmppRequestException failure, UnknownOutcomePolicy policy,
        int unansweredSends, SegmentAction expected) =>
        Assert.Equal(expected, SubmitVerdict.Decide(null, failure, policy, unansweredSends, MaxResends));

    [Theory]
    [InlineData(UnknownOutcomePolicy.Resend, 0, true)]
    [InlineData(UnknownOutcomePolicy.Resend, 2, true)]
    [InlineData(UnknownOutcomePolicy.Resend, 3, false)]
    [InlineData(UnknownOutcomePolicy.Report, 0, true)]
    [InlineData(UnknownOutcomePolicy.Report, 1, false)]
    public void A_segment_goes_out_at_most_one_plus_MaxUnknownOutcomeResends_times_in_all(UnknownOutcomePolicy policy, int unansweredSends, bool maySend) =>
        Assert.Equal(maySend, SubmitVerdict.MaySend(policy, unansweredSends, MaxResends));

    private static SmppResponseTimeoutException Timeout(bool wasSent) => new(CommandId.SubmitSm, 3, wasSent, TimeSpan.FromSeconds(10), "s1");

    private static SmppSessionClosedException Closed(bool wasSent) => new(CommandId.SubmitSm, 4, wasSent, SmppCloseReason.NetworkError, "s1", null);
}
