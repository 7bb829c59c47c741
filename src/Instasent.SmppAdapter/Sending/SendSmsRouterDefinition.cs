using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// The router's endpoint: the public command queue <c>smpp-send-sms</c>, envelope or plain JSON, the caller's
/// <c>traceparent</c> continued. Its consume topology binds <see cref="SendSms"/>'s pinned exchange
/// (<c>smpp.send-sms</c>) to it, so MassTransit's <c>Publish</c> reaches the adapter, once. When the router submits
/// commands itself (<see cref="AdapterOptions.DirectSubmit"/>) its concurrency and prefetch are the connection's, as
/// <see cref="SendSmsConsumerDefinition"/> sets them.
/// </summary>
public sealed class SendSmsRouterDefinition : ConsumerDefinition<SendSmsRouter>
{
    private readonly AdapterOptions _options;

    public SendSmsRouterDefinition(AdapterOptions options)
    {
        _options = options;
        EndpointName = SendSms.QueueName;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<SendSmsRouter> consumer,
        IRegistrationContext context)
    {
        if (_options.DirectSubmit)
        {
            // Room to submit a window's worth itself (DirectSubmitSlots) and to keep forwarding past it.
            var window = _options.Connections[0].TotalWindow;
            endpoint.ConcurrentMessageLimit = 2 * window;
            endpoint.PrefetchCount = _options.RabbitMq.PrefetchCount ?? 2 * window;
        }
        BusPolicy.AcceptPlainJson(endpoint);
        endpoint.UseMessageRetry(BusPolicy.Retry);
        BusPolicy.RequeueWhenPublishesTimeOut(endpoint);
        QueueTopology.Apply(endpoint, SendSms.QueueName, _options.RabbitMq);
        // The connections' queues exist (with their arguments) before the router forwards the first command to them,
        // whether or not their connection has ever been bound; re-declared on every reconnection.
        foreach (var connection in _options.Connections)
        {
            QueueTopology.Declare(endpoint, connection.QueueName, _options.RabbitMq);
            QueueTopology.Declare(endpoint, connection.HighQueueName, _options.RabbitMq);
        }
        consumer.Message<SendSms>(m => m.UseFilter(new TraceparentFilter<SendSms>()));
    }
}
