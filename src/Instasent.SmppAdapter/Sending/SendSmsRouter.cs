using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Sending;
using MassTransit;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Consumes <c>smpp-send-sms</c>: rejects bad input (permanent <see cref="SmsRejected"/>, acknowledged) and forwards
/// valid commands to their connection's queue (<c>smpp-send-sms.&lt;connection&gt;</c>, or
/// <c>smpp-send-sms.&lt;connection&gt;.high</c> for a <c>priority: high</c> command), so a connection with no bound
/// session holds its own backlog and never blocks another. MassTransit carries the trace and headers over the hop.
/// </summary>
public sealed class SendSmsRouter(SendSmsValidator validator, OutcomePublisher outcomes) : IConsumer<SendSms>
{
    public async Task Consume(ConsumeContext<SendSms> context)
    {
        var result = validator.Validate(context.Message);
        if (result.Plan is not { } plan)
        {
            await outcomes.RejectInvalidAsync(context, result).ConfigureAwait(false);
            return;
        }
        var endpoint = await context.GetSendEndpoint(plan.Connection.QueueAddressFor(plan.Command.Priority)).ConfigureAwait(false);
        await endpoint.Send(context.Message, context.CancellationToken).ConfigureAwait(false);
    }
}
