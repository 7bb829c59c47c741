using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;

namespace Instasent.SmppAdapter.Inbound;

/// <summary>The internal queue <c>smpp-inbound-parts</c>, one part at a time.</summary>
public sealed class InboundPartConsumerDefinition : ConsumerDefinition<InboundPartConsumer>
{
    private readonly RabbitMqOptions _rabbitMq;

    public InboundPartConsumerDefinition(AdapterOptions options)
    {
        _rabbitMq = options.RabbitMq;
        EndpointName = InboundSmsPart.QueueName;
        // One at a time keeps reassembly simple to reason about; parts are small and rare.
        ConcurrentMessageLimit = 1;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<InboundPartConsumer> consumer,
        IRegistrationContext context)
    {
        endpoint.ConfigureConsumeTopology = false;
        endpoint.UseMessageRetry(BusPolicy.Retry);
        BusPolicy.RequeueWhenPublishesTimeOut(endpoint);
        QueueTopology.Apply(endpoint, InboundSmsPart.QueueName, _rabbitMq);
    }
}
