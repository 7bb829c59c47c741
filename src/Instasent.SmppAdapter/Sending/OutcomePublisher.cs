using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Stores;
using Instasent.SmppAdapter.Telemetry;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Publishes a command's final outcome and records it for idempotency. Publish completes only once the broker
/// confirmed it (publisher confirms), and the consumer returns (so MassTransit acknowledges the command) only after that.
/// </summary>
public sealed class OutcomePublisher(StoreAvailability stores, SendingOptions sending, PublishDeadlines deadlines, IBrokerPublisher events, TimeProvider time)
{
    public async Task RejectInvalidAsync(SendSmsContext context, SendSmsValidation result)
    {
        var rejected = new SmsRejected
        {
            MessageId = context.Message.MessageId ?? "",
            Code = RejectionCodes.InvalidInput,
            Reason = result.Reason!,
            Permanent = true,
            Connection = result.Connection,
            RejectedAt = time.GetUtcNow(),
            Metadata = context.Message.Metadata,
        };
        await RepublishAsync(context.Consumed, rejected).ConfigureAwait(false);
        AdapterTelemetry.Rejected.Add(1, AdapterTelemetry.Connection(result.Connection ?? ""), new("smpp.command_status", RejectionCodes.InvalidInput), new("smpp.permanent", true));
    }

    /// <summary>Records the outcome with <paramref name="claim"/> (which releases it), then publishes it.</summary>
    public async Task<object> PublishAsync(SendSmsContext context, SubmitPlan plan, SubmitOutcome outcome, IdempotencyClaim claim)
    {
        var command = plan.Command;
        object message = outcome switch
        {
            SubmitOutcome.Submitted s => new SmsSubmitted
            {
                MessageId = command.MessageId,
                SmscMessageIds = s.SmscMessageIds,
                Segments = s.SmscMessageIds.Count,
                Connection = plan.Connection.Name,
                SessionId = s.SessionId,
                SubmittedAt = s.SubmittedAt,
                Metadata = command.Metadata,
            },
            SubmitOutcome.Rejected r => new SmsRejected
            {
                MessageId = command.MessageId,
                Code = r.Code,
                Reason = r.Reason,
                AcceptedSegments = r.Accepted,
                CommandStatus = r.Status is { } status ? (int)status : null,
                CommandStatusName = r.Status?.ToString(),
                Permanent = r.Permanent,
                Connection = plan.Connection.Name,
                RejectedAt = time.GetUtcNow(),
                Metadata = command.Metadata,
            },
            _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Only final outcomes are published."),
        };
        // Remembered (and the progress forgotten) before it is published: if the publish fails, the command is retried or
        // redelivered, finds this outcome and publishes it again instead of submitting the SMS a second time.
        if (outcome is SubmitOutcome.Submitted submitted)
        {
            // The SMS is out and its last segment is recorded only with the outcome: wait for a store that is away rather
            // than hand the command back, which would send that segment again.
            await stores.KeepTryingAsync(() => claim.CompleteAsync(message, submitted.LastCorrelation).AsTask(), sending.RetryBudget).ConfigureAwait(false);
        }
        else
        {
            await claim.CompleteAsync(message, null).ConfigureAwait(false);
        }
        await RepublishAsync(context.Consumed, message).ConfigureAwait(false);
        var connection = AdapterTelemetry.Connection(plan.Connection.Name);
        if (outcome is SubmitOutcome.Rejected rejected)
        {
            AdapterTelemetry.Rejected.Add(1, connection, new("smpp.command_status", rejected.Status?.ToString() ?? rejected.Code), new("smpp.permanent", rejected.Permanent));
        }
        else
        {
            AdapterTelemetry.Submitted.Add(1, connection);
        }
        return message;
    }

    /// <summary>
    /// Publishes an outcome within <c>Adapter:PublishTimeout</c>: a new one, or a known one again (a redelivered command),
    /// so subscribers that missed it still get it.
    /// </summary>
    public async Task RepublishAsync(ConsumedMessage consumed, object outcome)
    {
        using var deadline = deadlines.Start(PublishDeadlines.Outcome, CancellationToken.None);
        await events.PublishAsync(outcome, consumed, deadline.Token).ConfigureAwait(false);
    }
}
