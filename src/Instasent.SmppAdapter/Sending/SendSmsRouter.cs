using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Contracts;
using MassTransit;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Consumes <c>smpp-send-sms</c>: rejects bad input (permanent <see cref="SmsRejected"/>, acknowledged) and forwards
/// valid commands to their connection's queue (<c>smpp-send-sms.&lt;connection&gt;</c>, or
/// <c>smpp-send-sms.&lt;connection&gt;.high</c> for a <c>priority: high</c> command), so a connection with no bound
/// session holds its own backlog and never blocks another. MassTransit carries the trace and headers over the hop.
/// With one connection configured (<see cref="AdapterOptions.DirectSubmit"/>) a command whose connection queue is open
/// is submitted here instead, saving the hop (a persistent, confirmed publish, its delivery and its ack); while the
/// queue is closed (no bound session, or stopping) commands are still forwarded, so they wait in RabbitMQ.
/// </summary>
public sealed class SendSmsRouter(SendSmsValidator validator, OutcomePublisher outcomes, AdapterOptions options, ConnectionQueueGate gate,
    SendSmsConsumer consumer) : IConsumer<SendSms>
{
    public async Task Consume(ConsumeContext<SendSms> context)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var result = validator.Validate(context.Message);
        if (result.Plan is not { } plan)
        {
            await outcomes.RejectInvalidAsync(context, result).ConfigureAwait(false);
            return;
        }
        // A high command always goes to its lane's queue, so it is served high first there.
        if (options.DirectSubmit && gate.IsOpen(plan.Connection.Name) && plan.Command.Priority != SmsPriorities.High)
        {
            await consumer.SubmitAsync(context, plan, started).ConfigureAwait(false);
            return;
        }
        var endpoint = await context.GetSendEndpoint(plan.Connection.QueueAddressFor(plan.Command.Priority)).ConfigureAwait(false);
        await endpoint.Send(context.Message, context.CancellationToken).ConfigureAwait(false);
    }
}
