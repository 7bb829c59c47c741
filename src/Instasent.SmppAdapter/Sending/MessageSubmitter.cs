using System.Collections.Concurrent;
using System.Diagnostics;
using Instasent.Smpp.Client;
using Instasent.Smpp.Messages;
using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Sessions;
using Instasent.SmppAdapter.Stores;
using Instasent.SmppAdapter.Telemetry;
using Microsoft.Extensions.Logging;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Submits one validated command's segments through its connection, in order, and decides the outcome as DESIGN.md's
/// delivery guarantees say:
/// <list type="bullet">
/// <item>ESME_ROK for every segment: submitted; each segment's id is recorded for receipts.</item>
/// <item>ESME_RTHROTTLED / ESME_RMSGQFUL: the connection's limiter pauses (adaptively) and the segment is sent again;
/// ESME_RSYSERR / ESME_RX_T_APPN likewise after a per-message back-off (the SMSC said "not now", not "never").</item>
/// <item>Any other status: refused for certain, a permanent rejection naming the status.</item>
/// <item>No answer after the PDU went out (response timeout, session lost): the outcome is unknown. Policy Resend sends
/// only that segment again, with the same UDH reference (at most MaxUnknownOutcomeResends times); policy Report rejects
/// the command, not permanent. A PDU that never left is simply sent again.</item>
/// <item>All of this within <see cref="SendingOptions.RetryBudget"/>; past it, or when the process stops, the command is
/// handed back to its queue.</item>
/// </list>
/// </summary>
public sealed class MessageSubmitter(SessionPool pool, ICorrelationStore correlations, AdapterOptions options, ShutdownDrain drain, TimeProvider time, ILogger<MessageSubmitter> logger)
{
    private readonly ConcurrentDictionary<string, ConcatReferenceAllocator> _allocators = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="plan">The validated command.</param>
    /// <param name="cancellationToken">The consume context's token.</param>
    public async Task<SubmitOutcome> SubmitAsync(SubmitPlan plan, CancellationToken cancellationToken)
    {
        var connection = pool[plan.Connection.Name];
        var allocator = _allocators.GetOrAdd(connection.Name, _ => new ConcatReferenceAllocator(plan.Connection.Segmentation));
        ConcatReference? reference;
        try
        {
            reference = SubmitSmFactory.NeedsReference(plan) ? allocator.Rent(plan.Destination.Addr) : null;
        }
        catch (InvalidOperationException e)
        {
            return new SubmitOutcome.HandBack(e.Message);
        }
        using (reference)
        {
            using var budget = new CancellationTokenSource(options.Sending.RetryBudget, time);
            // Waiting (for a session, a token, a back-off) ends as soon as the adapter stops; a PDU on the wire may
            // still be answered until the drain aborts.
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, drain.Stopping, cancellationToken);
            using var onWire = CancellationTokenSource.CreateLinkedTokenSource(budget.Token, drain.Abort, cancellationToken);
            try
            {
                return await SubmitSegmentsAsync(plan, connection, SubmitSmFactory.Create(plan, reference?.Value ?? 0), waiting.Token, onWire.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (waiting.IsCancellationRequested || onWire.IsCancellationRequested)
            {
                return budget.IsCancellationRequested
                    ? new SubmitOutcome.HandBack($"retry budget of {options.Sending.RetryBudget} ran out (no bound session, or the SMSC kept throttling)")
                    : new SubmitOutcome.HandBack("the adapter is stopping", Counts: false);
            }
        }
    }

    private async Task<SubmitOutcome> SubmitSegmentsAsync(SubmitPlan plan, ConnectionSessions connection, IReadOnlyList<SubmitSm> pdus,
        CancellationToken cancellationToken, CancellationToken onWire)
    {
        var ids = new string[pdus.Count];
        var normalizer = new MessageIdNormalizer(plan.Connection.MessageIdFormat);
        var backoff = new Backoff(options.Sending.ThrottleBackoffMin, options.Sending.ThrottleBackoffMax);
        var session = await connection.AcquireAsync(cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < pdus.Count; i++)
        {
            var unknownOutcomes = 0;
            while (ids[i] is null)
            {
                if (session.State != SmppSessionState.Bound)
                {
                    session = await connection.AcquireAsync(cancellationToken).ConfigureAwait(false);
                }
                await connection.Limiter.WaitAsync(cancellationToken).ConfigureAwait(false);
                SubmitSmResp response;
                Activity? span = null;
                try
                {
                    span = StartSubmitSpan(plan, session, i, pdus.Count);
                    response = await session.SubmitAsync(Fresh(pdus[i]), onWire).ConfigureAwait(false);
                    span?.SetTag("smpp.command_status", response.CommandStatus.ToString());
                    span?.SetTag("smpp.message_id", response.MessageId);
                }
                catch (Exception e) when (e is SmppResponseTimeoutException or SmppSessionClosedException)
                {
                    span?.SetStatus(ActivityStatusCode.Error, e.Message);
                    span?.Dispose();
                    var wasSent = e is SmppResponseTimeoutException { WasSent: true } or SmppSessionClosedException { WasSent: true };
                    if (!wasSent)
                    {
                        continue;
                    }
                    Retried(plan, "unknown_outcome");
                    if (plan.Connection.UnknownOutcome == UnknownOutcomePolicy.Report)
                    {
                        return new SubmitOutcome.Rejected(
                            $"segment {i + 1} of {pdus.Count}: outcome unknown ({e.Message}); UnknownOutcome policy is Report, so it was not resent", null, false);
                    }
                    if (++unknownOutcomes > options.Sending.MaxUnknownOutcomeResends)
                    {
                        return new SubmitOutcome.HandBack($"segment {i + 1} of {pdus.Count}: outcome unknown {unknownOutcomes} times");
                    }
                    logger.LogInformation("Segment {Segment}/{Segments} of {MessageId}: outcome unknown ({Error}); resending with the same reference",
                        i + 1, pdus.Count, plan.Command.MessageId, e.Message);
                    continue;
                }
                catch (SmppGenericNackException e)
                {
                    span?.SetStatus(ActivityStatusCode.Error, e.Status.Describe());
                    span?.Dispose();
                    return new SubmitOutcome.Rejected($"segment {i + 1} of {pdus.Count}: the SMSC answered generic_nack {e.Status.Describe()}", e.Status, true);
                }

                using (span)
                {
                    var status = response.CommandStatus;
                    connection.Limiter.Observe(status);
                    if (status == CommandStatus.ESME_ROK)
                    {
                        ids[i] = response.MessageId;
                        correlations.Add(connection.Name, normalizer.FromSubmitResponse(response.MessageId), new SegmentCorrelation
                        {
                            MessageId = plan.Command.MessageId,
                            Segment = i + 1,
                            Segments = pdus.Count,
                            Metadata = plan.Command.Metadata,
                            SubmittedAt = time.GetUtcNow(),
                            SubmitContext = span?.Context ?? Activity.Current?.Context ?? default,
                        });
                        continue;
                    }
                    span?.SetStatus(ActivityStatusCode.Error, status.Describe());
                    if (status.IsTransient())
                    {
                        Retried(plan, "throttled");
                        continue;
                    }
                    if (status is CommandStatus.ESME_RSYSERR or CommandStatus.ESME_RX_T_APPN)
                    {
                        Retried(plan, "smsc_error");
                        await Task.Delay(backoff.Next(), time, cancellationToken).ConfigureAwait(false);
                        continue;
                    }
                    return new SubmitOutcome.Rejected($"segment {i + 1} of {pdus.Count} refused by the SMSC with {status.Describe()}", status, true);
                }
            }
        }
        return new SubmitOutcome.Submitted(ids, session.SessionId, time.GetUtcNow());
    }

    /// <summary>
    /// The adapter's span around one submit_sm attempt (the library's <c>smpp submit_sm</c> span, when it makes one,
    /// is its child); receipts link to it. Number masked, no text.
    /// </summary>
    private static Activity? StartSubmitSpan(SubmitPlan plan, SmppSession session, int index, int total)
    {
        var span = AdapterTelemetry.Source.StartActivity("smpp submit", ActivityKind.Internal);
        if (span is null)
        {
            return null;
        }
        span.SetTag("smpp.connection", plan.Connection.Name);
        span.SetTag("smpp.session_id", session.SessionId);
        span.SetTag("smpp.destination_addr", SmppTelemetry.MaskPhoneNumber("+" + plan.Destination.Addr.TrimStart('+')));
        span.SetTag("smpp.segment", index + 1);
        span.SetTag("smpp.segments", total);
        span.SetTag("messaging.message.id", plan.Command.MessageId);
        return span;
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
