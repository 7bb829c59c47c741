namespace Instasent.SmppAdapter.Hosting;

/// <summary>
/// Publishes the adapter's events (outcomes, receipts, inbound messages, session events) to their fanout exchanges
/// (<see cref="ContractNames"/>), in MassTransit's envelope. The task completes only once the broker confirmed the
/// publish (publisher confirms), and faults or is cancelled otherwise, so a caller acknowledges what it answers only
/// after that (DESIGN.md, delivery guarantees).
/// </summary>
/// <remarks>
/// Two implementations, chosen by <c>RabbitMq:EventPublisher</c>: <see cref="RabbitMqEventPublisher"/> (the default, on
/// RabbitMQ.Client: half of the adapter's cost per command on MassTransit was its publish pipeline, docs/performance.md)
/// and <see cref="MassTransitEventPublisher"/> (MassTransit's own publish, which the in-memory test harness needs).
/// </remarks>
public interface IEventPublisher
{
    /// <summary>
    /// Publishes <paramref name="message"/> as its runtime type. <paramref name="consumed"/>: the command or part this
    /// event answers, whose conversation it continues; null for what the SMSC started (receipts, session events).
    /// </summary>
    Task PublishAsync(object message, ConsumeContext? consumed, CancellationToken cancellationToken);
}

/// <summary>MassTransit's own publish (<c>RabbitMq:EventPublisher=MassTransit</c>, and the in-memory test harness).</summary>
public sealed class MassTransitEventPublisher(IBus bus) : IEventPublisher
{
    public Task PublishAsync(object message, ConsumeContext? consumed, CancellationToken cancellationToken) =>
        consumed is not null
            ? consumed.Publish(message, message.GetType(), cancellationToken)
            : bus.Publish(message, message.GetType(), cancellationToken);
}
