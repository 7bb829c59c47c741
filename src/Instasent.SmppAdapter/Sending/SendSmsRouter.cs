using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Telemetry;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Consumes <c>smpp-send-sms</c>: rejects bad input (permanent <see cref="SmsRejected"/>, acknowledged) and forwards
/// valid commands to their connection's queue (<c>smpp-send-sms.&lt;connection&gt;</c>, or
/// <c>smpp-send-sms.&lt;connection&gt;.high</c> for a <c>priority: high</c> command), so a connection with no bound
/// session holds its own backlog and never blocks another. The forward carries the trace over the hop (IBrokerPublisher).
/// With one connection configured (<see cref="AdapterOptions.DirectSubmit"/>) a normal command whose connection queue is
/// open is submitted here instead, saving the hop (a persistent, confirmed publish, its delivery and its ack), as long as
/// one of the <see cref="DirectSubmitSlots"/> (the connection's normal share of the window) is free. When none is, the
/// command is forwarded: the router keeps draining <c>smpp-send-sms</c> at broker speed, so a backlog builds in the
/// connection's queue, where a high command (always forwarded to its lane) overtakes it, never in front of the router.
/// Every forward is counted (<c>smpp.adapter.commands.forwarded</c>, by reason). With <c>Adapter:ForwardBacklog</c>
/// false it waits for a slot instead, and a backlog stays in <c>smpp-send-sms</c>.
/// While the queue is closed (no bound session, or stopping) commands are forwarded too, so they wait in RabbitMQ.
/// </summary>
/// <remarks>
/// The forward has the deadline of every publish (<c>Adapter:PublishTimeout</c>): a broker that blocks publishers (a
/// memory or disk alarm) fails it instead of holding the router; MassTransit's retry then sends it again, and past its
/// retries the command is returned to its queue (BusPolicy.RequeueWhenPublishesTimeOut), not parked in _error.
/// </remarks>
public sealed class SendSmsRouter(SendSmsValidator validator, OutcomePublisher outcomes, AdapterOptions options, ConnectionQueueGate gate,
    SendSmsConsumer consumer, DirectSubmitSlots directSlots, IBrokerPublisher publisher, PublishDeadlines deadlines, ShutdownDrain drain) : IConsumer<SendSms>
{
    public Task Consume(ConsumeContext<SendSms> context) => RouteAsync(SendSmsContext.Of(context));

    /// <summary>Routes one command from <c>smpp-send-sms</c>, whoever consumed it (MassTransit, or <see cref="SendSmsQueueConsumer"/>).</summary>
    public async Task RouteAsync(SendSmsContext context)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = validator.Validate(context.Message);
        if (result.Plan is not { } plan)
        {
            await outcomes.RejectInvalidAsync(context, result).ConfigureAwait(false);
            return;
        }
        var forward = ForwardReason(plan);
        if (forward is null)
        {
            if (await TakeSlotAsync(context).ConfigureAwait(false))
            {
                try
                {
                    // It may have waited for the slot: the session may have gone meanwhile.
                    if (gate.IsOpen(plan.Connection.Name))
                    {
                        await consumer.SubmitAsync(context, plan, started).ConfigureAwait(false);
                        return;
                    }
                }
                finally
                {
                    directSlots.Return();
                }
                forward = "queue_closed";
            }
            else
            {
                forward = gate.IsOpen(plan.Connection.Name) ? "no_slot" : "queue_closed";
            }
        }
        await ForwardAsync(context, plan, forward).ConfigureAwait(false);
    }

    /// <summary>A direct slot: within Adapter:DirectSubmitWait, or for as long as it takes without Adapter:ForwardBacklog.</summary>
    private Task<bool> TakeSlotAsync(SendSmsContext context) => options.Sending.ForwardBacklog
        ? directSlots.TryTakeAsync(options.Sending.DirectSubmitWait, context.CancellationToken)
        : directSlots.TakeAsync(drain.Stopping);

    private async Task ForwardAsync(SendSmsContext context, SubmitPlan plan, string reason)
    {
        AdapterTelemetry.Forwarded.Add(1, AdapterTelemetry.Connection(plan.Connection.Name), new("reason", reason));
        using var deadline = deadlines.Start(PublishDeadlines.Forward, context.CancellationToken);
        await publisher.ForwardAsync(context, plan.Connection.QueueNameFor(plan.Command.Priority), deadline.Token).ConfigureAwait(false);
    }

    /// <summary>Why <paramref name="plan"/> goes to its connection's queue whatever the slots, or null: submit it here if one is free.</summary>
    private string? ForwardReason(SubmitPlan plan) =>
        !options.DirectSubmit ? "router"
        // A high command always goes to its lane's queue, so it is served high first there.
        : plan.Command.Priority == SmsPriorities.High ? "high"
        : !gate.IsOpen(plan.Connection.Name) ? "queue_closed"
        : null;
}
