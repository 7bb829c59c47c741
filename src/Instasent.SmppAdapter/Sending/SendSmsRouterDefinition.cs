using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Hosting;
using MassTransit;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// The router's endpoint: the public command queue <c>smpp-send-sms</c>, envelope or plain JSON, the caller's
/// <c>traceparent</c> continued. Its consume topology binds <see cref="SendSms"/>'s pinned exchange
/// (<c>smpp.send-sms</c>) to it, so MassTransit's <c>Publish</c> reaches the adapter, once.
/// </summary>
public sealed class SendSmsRouterDefinition : ConsumerDefinition<SendSmsRouter>
{
    public SendSmsRouterDefinition() => EndpointName = SendSms.QueueName;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<SendSmsRouter> consumer,
        IRegistrationContext context)
    {
        BusPolicy.AcceptPlainJson(endpoint);
        endpoint.UseMessageRetry(BusPolicy.Retry);
        consumer.Message<SendSms>(m => m.UseFilter(new TraceparentFilter<SendSms>()));
    }
}
