using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Hosting;

/// <summary>
/// What the adapter publishes on the hot path: its events (outcomes, receipts, inbound messages, session events) to
/// their fanout exchanges (<see cref="ContractNames"/>), in MassTransit's envelope, and the commands the router forwards
/// to a connection's queue. Each task completes only once the broker confirmed the publish (publisher confirms), and
/// faults or is cancelled otherwise, so a caller acknowledges what it answers only after that (DESIGN.md, delivery
/// guarantees).
/// </summary>
/// <remarks>
/// Two implementations, chosen by <c>RabbitMq:Publisher</c>: <see cref="RabbitMqBrokerPublisher"/> (the default, on
/// RabbitMQ.Client: MassTransit's send pipeline was a quarter of the adapter's CPU per command, docs/performance.md)
/// and <see cref="MassTransitBrokerPublisher"/> (MassTransit's own publish and send, which the in-memory test harness
/// needs).
/// </remarks>
public interface IBrokerPublisher
{
    /// <summary>
    /// Publishes <paramref name="message"/> as its runtime type. <paramref name="consumed"/>: the command or part this
    /// event answers, whose conversation it continues; null for what the SMSC started (receipts, session events).
    /// </summary>
    Task PublishAsync(object message, ConsumedMessage? consumed, CancellationToken cancellationToken);

    /// <summary>
    /// Sends the command being consumed on to <paramref name="queue"/> (a connection's queue, through its exchange of the
    /// same name), mandatory: a queue that does not exist fails the send instead of losing the command.
    /// </summary>
    Task ForwardAsync(SendSmsContext context, string queue, CancellationToken cancellationToken);

    /// <summary>
    /// Sends the command being consumed back to <paramref name="queue"/> (its connection's, as <see cref="ForwardAsync"/>)
    /// with <see cref="SendSmsContext.HandBackCountHeader"/> set to <paramref name="count"/>.
    /// </summary>
    Task HandBackAsync(SendSmsContext context, string queue, int count, CancellationToken cancellationToken);
}

/// <summary>MassTransit's own publish and send (<c>RabbitMq:Publisher=MassTransit</c>, and the in-memory test harness).</summary>
public sealed class MassTransitBrokerPublisher(IBus bus) : IBrokerPublisher
{
    public Task PublishAsync(object message, ConsumedMessage? consumed, CancellationToken cancellationToken) =>
        consumed?.MassTransit is { } context
            ? context.Publish(message, message.GetType(), cancellationToken)
            : bus.Publish(message, message.GetType(), cancellationToken);

    public Task ForwardAsync(SendSmsContext context, string queue, CancellationToken cancellationToken) =>
        SendAsync(context, queue, null, cancellationToken);

    public Task HandBackAsync(SendSmsContext context, string queue, int count, CancellationToken cancellationToken) =>
        SendAsync(context, queue, count, cancellationToken);

    private async Task SendAsync(SendSmsContext context, string queue, int? count, CancellationToken cancellationToken)
    {
        // Sent from MassTransit's consume context when there is one (it carries the conversation and the trace on).
        ISendEndpointProvider sender = context.Consumed.MassTransit is { } consumed ? consumed : bus;
        var endpoint = await sender.GetSendEndpoint(RabbitMqOptions.SendAddress(queue)).ConfigureAwait(false);
        await endpoint.Send(context.Message, send =>
        {
            if (count is { } handedBack)
            {
                send.Headers.Set(SendSmsContext.HandBackCountHeader, handedBack);
            }
            QueueTopology.Mandatory(send);
        }, cancellationToken).ConfigureAwait(false);
    }
}
