using RabbitMQ.Client;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>
/// How the fault-injecting harnesses (chaos-load, replica-load) reach a broker that may restart under them: connections
/// that recover by themselves, and a durable queue of their own bound to the event exchanges, so events published while
/// the harness is disconnected wait for it.
/// </summary>
internal static class HarnessBroker
{
    public static ConnectionFactory Factory(Uri broker, string clientName) => new()
    {
        Uri = broker,
        ClientProvidedName = clientName,
        AutomaticRecoveryEnabled = true,
        TopologyRecoveryEnabled = true,
        NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
        RequestedHeartbeat = TimeSpan.FromSeconds(10),
    };

    /// <summary>A channel on <paramref name="connection"/> with <paramref name="queue"/> declared durable, bound to each exchange, prefetch 500.</summary>
    public static async Task<IChannel> DurableEventQueueAsync(IConnection connection, string queue, IEnumerable<string> exchanges, CancellationToken cancellationToken)
    {
        var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        foreach (var exchange in exchanges)
        {
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, cancellationToken: cancellationToken);
            await channel.QueueBindAsync(queue, exchange, "", cancellationToken: cancellationToken);
        }
        await channel.BasicQosAsync(0, 500, false, cancellationToken);
        return channel;
    }
}
