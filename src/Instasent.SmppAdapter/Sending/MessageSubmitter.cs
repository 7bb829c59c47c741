using System.Collections.Concurrent;
using System.Diagnostics;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Sessions;
using Instasent.SmppAdapter.Stores;
using Instasent.SmppAdapter.Telemetry;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Submits one validated command's segments through its connection, in order, and decides the outcome as DESIGN.md's
/// delivery guarantees say; <see cref="SubmitVerdict"/> decides what each answer means. The command's progress (segments
/// accepted, the concatenation reference, unanswered sends) is kept in <see cref="ISubmitProgressStore"/> (and comes back
/// with the next attempt's claim), so a later
/// attempt resends only what was not accepted, with the same reference, and each segment goes out at most
/// 1 + <c>MaxUnknownOutcomeResends</c> times across every attempt. Waiting (for a session, the limiter, a back-off) is
/// bounded by <see cref="SendingOptions.RetryBudget"/>; past it, or when the process stops, the command is handed back.
/// </summary>
public sealed class MessageSubmitter(
    SessionPool pool,
    ICorrelationStore correlations,
    ISubmitProgressStore progressStore,
    StoreAvailability stores,
    AdapterOptions options,
    ShutdownDrain drain,
    TimeProvider time,
    ILogger<MessageSubmitter> logger)
{
    private readonly ConcurrentDictionary<string, ConcatReferenceAllocator> _allocators = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// For a <c>priority: high</c> command, its ticket in the connection's high lane: from now until it is disposed, no
    /// normal submit of the connection is admitted while the command waits (<see cref="PriorityLanes"/>). Null for a
    /// normal command.
    /// </summary>
    public PriorityLanes.HighTicket? ExpectHigh(SubmitPlan plan) =>
        plan.Command.Priority == SmsPriorities.High ? pool[plan.Connection.Name].Lanes.ExpectHigh() : null;

    /// <param name="plan">The validated command.</param>
    /// <param name="recorded">
    /// The progress earlier attempts recorded (it came with the claim), or the <see cref="SubmitProgress.FirstSend"/> the
    /// claim recorded (<paramref name="firstSendRecorded"/>), or null.
    /// </param>
    /// <param name="firstSendRecorded">The claim counted the first segment's send already (<see cref="IdempotencyClaim.FirstSendRecorded"/>).</param>
    /// <param name="high">The command's ticket from <see cref="ExpectHigh"/>, when it is a high-priority one.</param>
    /// <param name="cancellationToken">The consume context's token.</param>
    public async Task<SubmitOutcome> SubmitAsync(SubmitPlan plan, SubmitProgress? recorded, bool firstSendRecorded, PriorityLanes.HighTicket? high,
        CancellationToken cancellationToken)
    {
        var messageId = plan.Command.MessageId;
        try
        {
            var progress = ProgressFor(plan, recorded);
            var counted = new CountedSend(firstSendRecorded && progress.UnansweredSends is [1]);
            using var reference = RentReference(plan, progress);
            using var budget = new CancellationTokenSource(options.Sending.RetryBudget, time);
            // Waiting (for a session, a token, a back-off) ends as soon as the adapter stops; a PDU on the wire may
            // still be answered until the drain aborts.
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, drain.Stopping, cancellationToken);
            using var onWire = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, drain.Abort, cancellationToken);
            var pdus = SubmitSmFactory.Create(plan, (ushort)(progress.Reference ?? 0));
            SubmitOutcome outcome;
            try
            {
                outcome = await SubmitSegmentsAsync(plan, high, progress, counted, pdus, waiting.Token, onWire.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (waiting.IsCancellationRequested || onWire.IsCancellationRequested)
            {
                outcome = budget.IsCancellationRequested
                    ? new SubmitOutcome.HandBack($"retry budget of {options.Sending.RetryBudget} ran out (no bound session, or the SMSC kept throttling)")
                    : new SubmitOutcome.HandBack("the adapter is stopping", Counts: false);
            }
            if (outcome is SubmitOutcome.HandBack && counted.Pending)
            {
                // Handed back before the send its claim counted: take the count back, or the next attempt would think a
                // send went unanswered. Should this fail (or the process die first), the count stays: one resend fewer
                // for this command, never one more.
                progress.UnansweredSends[0]--;
                await progressStore.SaveAsync(messageId, progress, CancellationToken.None).ConfigureAwait(false);
            }
            return outcome;
        }
        catch (Exception e) when (StoreAvailability.IsOutage(e))
        {
            // The progress store is down: an outage, not this command's failure (the progress says what went out).
            return new SubmitOutcome.HandBack($"the store is unavailable: {e.Message}", Counts: false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Never a blind retry of the submit around this call: the progress says what went out; the next attempt reads it.
            logger.LogWarning(e, "Submitting {MessageId} failed unexpectedly; handing it back", messageId);
            return new SubmitOutcome.HandBack($"unexpected failure: {e.Message}");
        }
    }

    /// <summary>The command's recorded progress, or a fresh one (also when the recorded one is for other text).</summary>
    private SubmitProgress ProgressFor(SubmitPlan plan, SubmitProgress? progress)
    {
        if (progress is not null && progress.Segments != plan.Segments)
        {
            logger.LogWarning("{MessageId} was resent with different text ({Segments} segments, {Recorded} before); starting again",
                plan.Command.MessageId, plan.Segments, progress.Segments);
            progress = null;
        }
        return progress ?? SubmitProgress.Start(plan.Segments);
    }

    /// <summary>A new reference when the command needs one and has none yet; the lease keeps it from another SMS to the same number.</summary>
    private ConcatReference? RentReference(SubmitPlan plan, SubmitProgress progress)
    {
        if (progress.Reference is not null || !SubmitSmFactory.NeedsReference(plan))
        {
            return null;
        }
        var allocator = _allocators.GetOrAdd(plan.Connection.Name, _ => new ConcatReferenceAllocator(plan.Connection.Segmentation));
        var reference = allocator.Rent(plan.Destination.Addr);
        progress.Reference = reference.Value;
        return reference;
    }

    private async Task<SubmitOutcome> SubmitSegmentsAsync(SubmitPlan plan, PriorityLanes.HighTicket? high, SubmitProgress progress, CountedSend counted,
        IReadOnlyList<SubmitSm> pdus, CancellationToken cancellationToken, CancellationToken onWire)
    {
        var connection = pool[plan.Connection.Name];
        var messageId = plan.Command.MessageId;
        var normalizer = new MessageIdNormalizer(plan.Connection.MessageIdFormat);
        var backoff = new Backoff(options.Sending.ThrottleBackoffMin, options.Sending.ThrottleBackoffMax);
        var maxResends = options.Sending.MaxUnknownOutcomeResends;
        // registered_delivery 0 (SMPP 3.4 §5.2.17): no receipt will come, so there is nothing to correlate (with Redis, a
        // round trip and a key kept for StoreRetention saved per segment).
        var receipts = plan.Command.RequestDeliveryReport;
        AcceptedCorrelation? lastCorrelation = null;
        SmppSession? session = null;
        for (var i = 0; i < pdus.Count; i++)
        {
            if (progress.SmscMessageIds[i] is { } accepted && receipts)
            {
                // Accepted in an earlier attempt, which may have ended before its correlation reached the store (a crash,
                // Redis going away): recorded again, so its receipt is still matched.
                await correlations.AddAsync(connection.Name, normalizer.FromSubmitResponse(accepted),
                    Correlation(plan, i, pdus.Count, Activity.Current?.Context ?? default)).ConfigureAwait(false);
            }
            while (progress.SmscMessageIds[i] is null)
            {
                if (!SubmitVerdict.MaySend(plan.Connection.UnknownOutcome, progress.UnansweredSends[i] - (counted.Pending ? 1 : 0), maxResends))
                {
                    return UnknownOutcome(plan, progress, i, "its earlier sends were never answered");
                }
                // The waits below return at once when nothing holds them (a free limiter, a free window slot) without
                // looking at the token: without this, a spent budget or a stopping adapter would not stop the resends.
                cancellationToken.ThrowIfCancellationRequested();
                // A window slot of the command's lane, held until the answer: high commands go first, and normal ones
                // never take the slots kept for them. Released before any back-off below.
                var slot = await connection.Lanes.EnterAsync(high, cancellationToken).ConfigureAwait(false);
                Activity? span = null;
                SubmitSmResp? response = null;
                SmppRequestException? failure = null;
                try
                {
                    if (session?.State != SmppSessionState.Bound)
                    {
                        session = await connection.AcquireAsync(cancellationToken).ConfigureAwait(false);
                    }
                    await connection.Limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
                    // Counted before the PDU is written: a crash while it is on the wire still counts it. A first
                    // attempt's first send was counted by its claim.
                    if (counted.Pending)
                    {
                        counted.Pending = false;
                    }
                    else
                    {
                        progress.UnansweredSends[i]++;
                        await progressStore.SaveAsync(messageId, progress, cancellationToken).ConfigureAwait(false);
                    }

                    span = StartSubmitSpan(plan, session, i, pdus.Count);
                    try
                    {
                        response = await session.SubmitAsync(Fresh(pdus[i]), onWire).ConfigureAwait(false);
                    }
                    catch (SmppRequestException e)
                    {
                        failure = e;
                    }
                }
                catch
                {
                    span?.Dispose();
                    throw;
                }
                finally
                {
                    slot.Dispose();
                }
                using var ended = span;
                var status = response?.CommandStatus ?? (failure as SmppGenericNackException)?.Status;
                if (status is not null || failure is { WasSent: false })
                {
                    progress.UnansweredSends[i]--;
                }
                if (status is { } answered)
                {
                    connection.Limiter.Observe(answered);
                }
                var action = SubmitVerdict.Decide(status, failure, plan.Connection.UnknownOutcome, progress.UnansweredSends[i], maxResends);
                Trace(span, response, status, failure, action);
                switch (action)
                {
                    case SegmentAction.Accepted:
                        progress.SmscMessageIds[i] = response!.MessageId;
                        var correlation = Correlation(plan, i, pdus.Count, span?.Context ?? Activity.Current?.Context ?? default);
                        var receiptCorrelation = receipts ? new AcceptedCorrelation(connection.Name, normalizer.FromSubmitResponse(response.MessageId), correlation) : null;
                        if (i == pdus.Count - 1)
                        {
                            // The last one: the outcome is decided, and recording it records this acceptance too (one
                            // step instead of two; see SubmitOutcome.Submitted.LastCorrelation).
                            lastCorrelation = receiptCorrelation;
                            break;
                        }
                        await stores.KeepTryingAsync(() => progressStore.SaveAcceptedAsync(messageId, progress, receiptCorrelation, CancellationToken.None).AsTask(),
                            options.Sending.RetryBudget).ConfigureAwait(false);
                        break;
                    case SegmentAction.SendAgain:
                        break;
                    case SegmentAction.PauseAndResend:
                        Retried(plan, "throttled");
                        break;
                    case SegmentAction.BackOffAndResend:
                        Retried(plan, "smsc_error");
                        await Task.Delay(backoff.Next(), time, cancellationToken).ConfigureAwait(false);
                        break;
                    case SegmentAction.ResendUnknown:
                        Retried(plan, "unknown_outcome");
                        logger.LogInformation("Segment {Segment}/{Segments} of {MessageId}: outcome unknown ({Error}); resending with the same reference",
                            i + 1, pdus.Count, messageId, failure!.Message);
                        break;
                    case SegmentAction.GiveUpUnknown:
                        return UnknownOutcome(plan, progress, i, failure!.Message);
                    default:
                        var refusal = failure is SmppGenericNackException ? $"generic_nack {status!.Value.Describe()}" : status!.Value.Describe();
                        return new SubmitOutcome.Rejected(RejectionCodes.SmscRefused,
                            $"segment {i + 1} of {pdus.Count} refused by the SMSC with {refusal}", status, Permanent: true, Accepted(progress));
                }
            }
        }
        // Every segment may have been accepted by an earlier attempt: the outcome still names a bound session.
        session ??= await connection.AcquireAsync(cancellationToken).ConfigureAwait(false);
        return new SubmitOutcome.Submitted(progress.SmscMessageIds!, session.SessionId, time.GetUtcNow(), lastCorrelation);
    }

    private SegmentCorrelation Correlation(SubmitPlan plan, int index, int segments, ActivityContext submitContext) => new()
    {
        MessageId = plan.Command.MessageId,
        Segment = index + 1,
        Segments = segments,
        Metadata = plan.Command.Metadata,
        SubmittedAt = time.GetUtcNow(),
        SubmitContext = submitContext,
    };

        private SubmitOutcome.Rejected UnknownOutcome(SubmitPlan plan, SubmitProgress progress, int index, string cause)
    {
        var sends = progress.UnansweredSends[index];
        var why = plan.Connection.UnknownOutcome == UnknownOutcomePolicy.Report
            ? "the UnknownOutcome policy is Report, so it is not resent"
            : $"sent {sends} times without an answer, the most Adapter:MaxUnknownOutcomeResends allows";
        return new SubmitOutcome.Rejected(RejectionCodes.UnknownOutcome,
            $"segment {index + 1} of {progress.Segments}: outcome unknown ({cause}); {why}", null, Permanent: false, Accepted(progress));
    }

    private static IReadOnlyList<AcceptedSegment>? Accepted(SubmitProgress progress)
    {
        var accepted = progress.SmscMessageIds
            .Select((id, i) => id is null ? null : new AcceptedSegment { Segment = i + 1, SmscMessageId = id })
            .OfType<AcceptedSegment>()
            .ToList();
        return accepted.Count == 0 ? null : accepted;
    }

    private static void Trace(Activity? span, SubmitSmResp? response, CommandStatus? status, SmppRequestException? failure, SegmentAction action)
    {
        if (span is not { IsAllDataRequested: true })
        {
            return;
        }
        if (status is { } answered)
        {
            span.SetTag("smpp.command_status", answered.ToString());
        }
        if (response is not null)
        {
            span.SetTag("smpp.message_id", response.MessageId);
        }
        if (action != SegmentAction.Accepted)
        {
            span.SetTag("smpp.submit_action", action.ToString());
            span.SetStatus(ActivityStatusCode.Error, status?.Describe() ?? failure?.Message);
            span.SetTag(AdapterTelemetry.ErrorType, status?.ToString() ?? failure?.GetType().FullName);
        }
    }

    /// <summary>
    /// The adapter's span around one submit_sm attempt (the library's <c>smpp submit_sm</c> span, when it makes one,
    /// is its child); receipts link to it. Number masked, no text.
    /// </summary>
    private static Activity? StartSubmitSpan(SubmitPlan plan, SmppSession session, int index, int total)
    {
        var span = AdapterTelemetry.Source.StartActivity("smpp submit", ActivityKind.Internal);
        if (span is not { IsAllDataRequested: true })
        {
            return span;
        }
        span.SetTag("smpp.connection", plan.Connection.Name);
        span.SetTag("smpp.session_id", session.SessionId);
        span.SetTag("smpp.destination_addr", SmppTelemetry.MaskPhoneNumber("+" + plan.Destination.Addr.TrimStart('+')));
        span.SetTag("smpp.segment", index + 1);
        span.SetTag("smpp.segments", total);
        // The caller's messageId is a business id: messaging.message.id is the broker message's own (MassTransit's spans).
        span.SetTag(AdapterTelemetry.MessageId, plan.Command.MessageId);
        return span;
    }

    /// <summary>A send the claim counted (<see cref="IdempotencyClaim.FirstSendRecorded"/>) and not yet made.</summary>
    private sealed class CountedSend(bool pending)
    {
        public bool Pending { get; set; } = pending;
    }

    /// <summary>The session numbers each PDU it sends; a resend must not reuse the previous attempt's sequence_number.</summary>
    private static SubmitSm Fresh(SubmitSm pdu)
    {
        pdu.SequenceNumber = 0;
        pdu.CommandStatus = CommandStatus.ESME_ROK;
        return pdu;
    }

    private static void Retried(SubmitPlan plan, string reason) =>
        AdapterTelemetry.Retried.Add(1, AdapterTelemetry.Connection(plan.Connection.Name), new("reason", reason));
}
