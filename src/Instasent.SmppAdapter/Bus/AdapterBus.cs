using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Inbound;
using MassTransit;

namespace Instasent.SmppAdapter.Bus;

/// <summary>The adapter's MassTransit set-up, the same on RabbitMQ and on the in-memory test harness.</summary>
public static class AdapterBus
{
    public static void AddConsumers(IBusRegistrationConfigurator bus)
    {
        bus.AddConsumer<SendSmsRouter>();
        bus.AddConsumer<SendSmsConsumer>();
        bus.AddConsumer<InboundPartConsumer>();
    }

    /// <summary>
    /// Plain JSON (content type <c>application/json</c> or none) is read by the raw JSON deserializer, made the default so
    /// a message without a content type lands there; MassTransit's envelope keeps its own content type
    /// (<c>application/vnd.masstransit+json</c>). Events are published in the envelope (the default serializer).
    /// </summary>
    public static void ConfigureEndpoints(IBusRegistrationContext context, IBusFactoryConfigurator bus)
    {
        bus.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
        bus.ReceiveEndpoint(SendSms.QueueName, endpoint =>
        {
            endpoint.ConfigureConsumeTopology = false;
            endpoint.UseMessageRetry(retry => retry.Intervals(100, 500, 2000));
            endpoint.ConfigureConsumer<SendSmsRouter>(context, consumer => consumer.Message<SendSms>(m => m.UseFilter(new TraceparentFilter<SendSms>())));
        });
        bus.ReceiveEndpoint(ConnectionQueues.InboundPartsQueue, endpoint =>
        {
            endpoint.ConfigureConsumeTopology = false;
            // One at a time keeps reassembly simple to reason about; parts are small and rare.
            endpoint.ConcurrentMessageLimit = 1;
            endpoint.UseMessageRetry(retry => retry.Intervals(100, 500, 2000));
            endpoint.ConfigureConsumer<InboundPartConsumer>(context);
        });
    }
}
