using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using MassTransit;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// A connection's queue, <c>smpp-send-sms.&lt;connection&gt;</c>. There is one per connection, and it is consumed only
/// while the connection has a bound session, so it is not created by <c>ConfigureEndpoints</c>:
/// <see cref="ConnectionQueueGate"/> connects it through <see cref="Configure"/>. Concurrency and prefetch are the
/// connection's total window (sessions × window), so the SMSC's window, not our process, bounds what is in flight.
/// </summary>
public sealed class SendSmsConsumerDefinition : ConsumerDefinition<SendSmsConsumer>
{
    /// <summary>Sets up <paramref name="endpoint"/> as <paramref name="connection"/>'s queue.</summary>
    public static void Configure(IReceiveEndpointConfigurator endpoint, IRegistrationContext context, SmppConnectionOptions connection, RabbitMqOptions rabbitMq)
    {
        var window = connection.TransmitSessions * connection.WindowSize;
        endpoint.ConcurrentMessageLimit = window;
        endpoint.PrefetchCount = rabbitMq.PrefetchCount ?? window;
        QueueTopology.Apply(endpoint, connection.QueueName, rabbitMq);
        endpoint.ConfigureConsumer<SendSmsConsumer>(context);
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpoint, IConsumerConfigurator<SendSmsConsumer> consumer,
        IRegistrationContext context)
    {
        // Not bound to SendSms's exchange: a published command goes to the router alone, never once per connection.
        endpoint.ConfigureConsumeTopology = false;
        BusPolicy.AcceptPlainJson(endpoint);
        // A failed publish (broker hiccup) is retried; the outcome is already remembered, so a retry re-publishes it
        // rather than submitting again.
        endpoint.UseMessageRetry(BusPolicy.Retry);
        BusPolicy.RequeueWhenPublishesTimeOut(endpoint);
    }
}
