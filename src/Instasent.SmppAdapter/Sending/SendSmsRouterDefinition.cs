using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Hosting;
using MassTransit;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// The router's endpoint: the public command queue <c>smpp-send-sms</c>, envelope or plain JSON, the caller's
/// <c>traceparent</c> continued. No consume topology: the queue's bindings are part of the public contract, not derived
/// from C# types.
/// </summary>
public sealed class SendSmsRouterDefinition : ConsumerDefinition<SendSmsRouter>
{
    public SendSmsRouterDefinition() => EndpointName = SendSms.QueueName;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<SendSmsRouter> consumer,
        IRegistrationContext context)
    {
        endpoint.ConfigureConsumeTopology = false;
        BusPolicy.AcceptPlainJson(endpoint);
        endpoint.UseMessageRetry(BusPolicy.Retry);
        consumer.Message<SendSms>(m => m.UseFilter(new TraceparentFilter<SendSms>()));
    }
}
