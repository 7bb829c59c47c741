using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// A connection's queues, <c>smpp-send-sms.&lt;connection&gt;</c> and its high lane <c>smpp-send-sms.&lt;connection&gt;.high</c>.
/// They are consumed only while the connection has a bound session, so they are not created by <c>ConfigureEndpoints</c>:
/// <see cref="ConnectionQueueGate"/> opens each (through <see cref="Configure"/> when MassTransit consumes them,
/// <c>RabbitMq:Consumer=MassTransit</c>; <see cref="SendSmsQueueConsumer"/> otherwise). Concurrency and prefetch are the
/// connection's total window (sessions × window), so the SMSC's window, not our process, bounds what is in flight; the
/// connection's <see cref="Sessions.PriorityLanes"/> then decide which of the two lanes' commands take the window's slots.
/// </summary>
public sealed class SendSmsConsumerDefinition : ConsumerDefinition<SendSmsConsumer>
{
    /// <summary>Sets up <paramref name="endpoint"/> as one of <paramref name="connection"/>'s queues (its high one when <paramref name="high"/>).</summary>
    public static void Configure(IReceiveEndpointConfigurator endpoint, IRegistrationContext context, SmppConnectionOptions connection,
        RabbitMqOptions rabbitMq, bool high)
    {
        var (prefetch, concurrency) = Limits(connection, rabbitMq, high);
        endpoint.ConcurrentMessageLimit = concurrency;
        endpoint.PrefetchCount = prefetch;
        QueueTopology.Apply(endpoint, high ? connection.HighQueueName : connection.QueueName, rabbitMq);
        endpoint.ConfigureConsumer<SendSmsConsumer>(context);
    }

    /// <summary>
    /// Prefetch and concurrency of one of <paramref name="connection"/>'s queues, whoever consumes it. The normal lane:
    /// prefetch <c>RabbitMq:PrefetchCount</c> (default the window), concurrency the window. The high lane takes twice the
    /// prefetch, all of it concurrently: the commands it holds beyond the window wait in the lane, and while any does, no
    /// normal command takes a slot. A high backlog therefore drains as one, not interleaved with normal commands whenever
    /// one high command's acknowledgement and the next one's delivery cross.
    /// </summary>
    public static (ushort Prefetch, ushort Concurrency) Limits(SmppConnectionOptions connection, RabbitMqOptions rabbitMq, bool high)
    {
        var window = connection.TotalWindow;
        var lane = Math.Min((high ? 2 : 1) * (rabbitMq.PrefetchCount ?? window), ushort.MaxValue);
        return ((ushort)lane, (ushort)Math.Min(high ? lane : window, ushort.MaxValue));
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
