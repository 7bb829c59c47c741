using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// What consumes a connection's queues while <see cref="ConnectionQueueGate"/> keeps them open: RabbitMQ.Client
/// (<see cref="SendSmsQueueConsumer"/>, <c>RabbitMq:Consumer=RabbitMqClient</c>, the default) or one of MassTransit's
/// receive endpoints per queue (<see cref="MassTransitConnectionLanes"/>).
/// </summary>
public interface IConnectionLanes
{
    /// <summary>Starts consuming one of <paramref name="connection"/>'s queues: its high lane when <paramref name="high"/>.</summary>
    IConnectionLane Open(SmppConnectionOptions connection, bool high);
}

/// <summary>One of a connection's queues being consumed.</summary>
public interface IConnectionLane
{
    /// <summary>Completes once the queue is consumed; faults or is cancelled if it never is.</summary>
    Task Ready { get; }

    /// <summary>Stops consuming: what it holds finishes (or, once <paramref name="cancellationToken"/> fires, is handed back).</summary>
    Task StopAsync(CancellationToken cancellationToken);
}

/// <summary>A connection's queues on MassTransit's receive endpoints, set up by <see cref="SendSmsConsumerDefinition.Configure"/>.</summary>
public sealed class MassTransitConnectionLanes(IReceiveEndpointConnector connector, AdapterOptions options) : IConnectionLanes
{
    public IConnectionLane Open(SmppConnectionOptions connection, bool high) =>
        new Lane(connector.ConnectReceiveEndpoint(high ? connection.HighQueueName : connection.QueueName, (context, endpoint) =>
            SendSmsConsumerDefinition.Configure(endpoint, context, connection, options.RabbitMq, high)));

    private sealed class Lane(HostReceiveEndpointHandle handle) : IConnectionLane
    {
        public Task Ready => handle.Ready;

        public Task StopAsync(CancellationToken cancellationToken) => handle.StopAsync(cancellationToken);
    }
}
