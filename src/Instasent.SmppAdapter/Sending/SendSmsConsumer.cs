using System.Diagnostics;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Sessions;
using Instasent.SmppAdapter.Stores;
using Instasent.SmppAdapter.Telemetry;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Consumes one connection's queue: submits the command unless its final outcome is already known, publishes the
/// outcome, and returns (its consumer then acknowledges) only once the broker confirmed it. A command that cannot be
/// decided in this process (retry budget spent, shutdown) is handed back to its queue.
/// </summary>
public sealed class SendSmsConsumer(
    SendSmsValidator validator,
    IIdempotencyStore idempotency,
    StoreAvailability stores,
    MessageSubmitter submitter,
    OutcomePublisher outcomes,
    SendingOptions sending,
    PublishDeadlines deadlines,
    IBrokerPublisher publisher,
    TimeProvider time,
    ILogger<SendSmsConsumer> logger) : IConsumer<SendSms>
{
    public Task Consume(ConsumeContext<SendSms> context) => ConsumeAsync(SendSmsContext.Of(context));

    /// <summary>Consumes one command of a connection's queue, whoever read it (MassTransit, or <see cref="SendSmsQueueConsumer"/>).</summary>
    public async Task ConsumeAsync(SendSmsContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var result = validator.Validate(context.Message);
        if (result.Plan is not { } plan)
        {
            // Configuration changed between routing and consuming (e.g. a connection removed).
            await outcomes.RejectInvalidAsync(context, result).ConfigureAwait(false);
            return;
        }
        await SubmitAsync(context, plan, started).ConfigureAwait(false);
    }

    /// <summary>
    /// Decides a command already validated into <paramref name="plan"/>: called by <see cref="Consume"/>, and by
    /// <see cref="SendSmsRouter"/> when it submits without the hop to the connection's queue.
    /// </summary>
    public async Task SubmitAsync(SendSmsContext context, SubmitPlan plan, long started)
    {
        // Taken on arrival, before the idempotency claim: from here normal commands of the connection wait for this one
        // (a twin being submitted at the same moment, which this one then waits for, is high too).
        using var high = submitter.ExpectHigh(plan);
        string outcome;
        try
        {
            outcome = await DecideAsync(context, plan, high, context.CancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreAvailability.IsOutage(e))
        {
            // No submit without an idempotency claim, no outcome without it remembered: the store is down, so this is an
            // outage, not this command's failure. Handed back uncounted; the gate stops taking more until the store returns.
            stores.ReportOutage(e);
            logger.LogWarning("{MessageId} handed back to {Queue}: the store is unavailable ({Error})", plan.Command.MessageId, plan.Connection.QueueName, e.Message);
            await HandBacks.SendAsync(publisher, context, plan.Connection, counts: false, deadlines).ConfigureAwait(false);
            outcome = "handed_back";
        }
        AdapterTelemetry.SendDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds,
            AdapterTelemetry.Connection(plan.Connection.Name), new("outcome", outcome));
    }

    private async Task<string> DecideAsync(SendSmsContext context, SubmitPlan plan, PriorityLanes.HighTicket? high, CancellationToken stopping)
    {
        var messageId = plan.Command.MessageId;
        // A first attempt's claim also counts its first send (one round trip less with a shared store).
        var firstSend = SubmitProgress.FirstSend(plan.Segments);
        var claim = await idempotency.ClaimAsync(messageId, firstSend, stopping).ConfigureAwait(false);
        var waitedSince = time.GetUtcNow();
        var retryBudget = sending.RetryBudget;
        // Another copy of this command is being submitted right now: wait for its outcome rather than send the SMS twice.
        while (claim.Status == IdempotencyClaimStatus.InFlight && !stopping.IsCancellationRequested
               && retryBudget - (time.GetUtcNow() - waitedSince) is { Ticks: > 0 } remaining)
        {
            try
            {
                await idempotency.WaitForReleaseAsync(messageId, remaining, stopping).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                break;
            }
            claim = await idempotency.ClaimAsync(messageId, firstSend, stopping).ConfigureAwait(false);
        }
        using (claim)
        {
            switch (claim.Status)
            {
                case IdempotencyClaimStatus.Completed:
                    // Nothing to submit: normal commands need not wait for this one's publish.
                    high?.Dispose();
                    logger.LogInformation("{MessageId} already has a final outcome; publishing it again instead of submitting", messageId);
                    return await PublishOrHandBackAsync(context, plan, () => outcomes.RepublishAsync(context.Consumed, claim.Outcome!), "duplicate").ConfigureAwait(false);
                case IdempotencyClaimStatus.InFlight:
                    // Its twin is being submitted right now: not this command's failure, so it does not count.
                    await HandBacks.SendAsync(publisher, context, plan.Connection, counts: false, deadlines).ConfigureAwait(false);
                    return "handed_back";
            }
            var outcome = await submitter.SubmitAsync(plan, claim.FirstSendRecorded ? firstSend : claim.Progress, claim.FirstSendRecorded, high, stopping).ConfigureAwait(false);
            // Out of the lane: normal commands need not wait for this one's outcome to be published.
            high?.Dispose();
            if (outcome is SubmitOutcome.HandBack handBack)
            {
                var handedBack = context.HandBackCount;
                if (!handBack.Counts || handedBack < sending.MaxHandBacks)
                {
                    logger.LogWarning("{MessageId} handed back to {Queue}: {Reason}", messageId, plan.Connection.QueueAddressFor(plan.Command.Priority), handBack.Reason);
                    await HandBacks.SendAsync(publisher, context, plan.Connection, handBack.Counts, deadlines).ConfigureAwait(false);
                    return "handed_back";
                }
                // Without a bound every attempt could resend segments the SMSC already took (or the SMS itself, when the
                // outcome stays unknown): give up honestly instead.
                logger.LogWarning("{MessageId} rejected after {Attempts} attempts without a final outcome: {Reason}", messageId, handedBack + 1, handBack.Reason);
                outcome = new SubmitOutcome.Rejected(RejectionCodes.HandBacksExhausted,
                    $"no final outcome after {handedBack + 1} attempts (handed back {handedBack} times, the most Adapter:MaxHandBacks allows); last attempt: {handBack.Reason}",
                    null, Permanent: false);
            }
            return await PublishOrHandBackAsync(context, plan, () => outcomes.PublishAsync(context, plan, outcome, claim),
                outcome is SubmitOutcome.Submitted ? "submitted" : "rejected").ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Publishes the outcome; when the broker does not confirm it within <c>Adapter:PublishTimeout</c> (a memory or disk
    /// alarm blocks publishers), hands the command back instead: the outcome is remembered, so the next attempt
    /// publishes it without submitting again.
    /// </summary>
    private async Task<string> PublishOrHandBackAsync(SendSmsContext context, SubmitPlan plan, Func<Task> publish, string result)
    {
        try
        {
            await publish().ConfigureAwait(false);
            return result;
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The outcome of {MessageId} was not confirmed within {Timeout}; handing the command back", plan.Command.MessageId, sending.PublishTimeout);
            await HandBacks.SendAsync(publisher, context, plan.Connection, counts: false, deadlines).ConfigureAwait(false);
            return "handed_back";
        }
    }
}
