using System.Collections.Concurrent;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Consumes the command queues on RabbitMQ.Client (<c>RabbitMq:Consumer=RabbitMqClient</c>, the default), past
/// MassTransit's receive pipeline: the public <c>smpp-send-sms</c> (to <see cref="SendSmsRouter"/>) for as long as the
/// adapter runs, and each connection's queues (to <see cref="SendSmsConsumer"/>) while <see cref="ConnectionQueueGate"/>
/// keeps them open (<see cref="IConnectionLanes"/>). Each queue is a <see cref="CommandQueue"/> on a channel of its own;
/// they share one connection, <c>smpp-adapter consumer</c>, apart from the publisher's (RabbitMQ recommends consuming and
/// publishing apart: a broker alarm blocks a publishing connection, acknowledgements included), recovered by the client
/// with its channels and consumers. MassTransit's consume cost a tenth of the gateway's CPU per command
/// (docs/performance.md, sessions 14 and 16).
/// </summary>
/// <remarks>
/// Declared as MassTransit declares them (<see cref="QueueTopology"/>): <c>smpp-send-sms</c>, its exchange and
/// <see cref="ContractNames.SendSmsExchange"/>'s binding, and each connection's queues, which the router forwards to before
/// they are ever consumed. Prefetch and concurrency: <c>2 × window</c> (or <c>RabbitMq:PrefetchCount</c>) for
/// <c>smpp-send-sms</c>, a connection's lanes as <see cref="SendSmsConsumerDefinition.Limits"/> says. Stopping: the
/// gate stops the lanes first (it stops before this service), then <c>smpp-send-sms</c> is drained and the connection
/// closed; whatever is unacknowledged then is requeued by the broker.
/// </remarks>
public sealed partial class SendSmsQueueConsumer(
    IServiceScopeFactory scopes,
    AdapterOptions options,
    RabbitMqBrokerPublisher publisher,
    TimeProvider time,
    ILogger<SendSmsQueueConsumer> logger) : IHostedService, IHealthCheck, IEndpointHealthSource, IConnectionLanes, IDisposable
{
    private readonly Lazy<IServiceScope> _scope = new(scopes.CreateScope);
    private readonly SemaphoreSlim _connecting = new(1, 1);
    private readonly ConcurrentDictionary<CommandQueue, bool> _lanes = new();
    private IConnection? _connection;
    private CommandQueue? _commands;
    private volatile bool _stopping;

    /// <summary><c>smpp-send-sms</c>'s prefetch and concurrency: the router's room to submit a window's worth itself and to keep forwarding past it.</summary>
    public int Prefetch { get; } = options.RabbitMq.PrefetchCount ?? Math.Min(2 * options.Connections.Sum(c => c.TotalWindow), ushort.MaxValue);

    /// <summary>Consuming <c>smpp-send-sms</c>: connected, the channel open and the consumer registered on it.</summary>
    public bool IsConsuming => _connection is { IsOpen: true } && _commands is { IsConsuming: true } && !_stopping;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsConsuming
            ? HealthCheckResult.Healthy($"{SendSms.QueueName}: consuming (RabbitMQ.Client, prefetch {Prefetch})")
            : HealthCheckResult.Unhealthy($"{SendSms.QueueName}: not consuming ({WhyNotConsuming(_commands) ?? "stopping"})"));

    /// <summary>For <see cref="EndpointStallWatchdog"/>: each queue that should be consumed and is not.</summary>
    public IReadOnlyDictionary<string, string> NotConsuming()
    {
        var idle = new Dictionary<string, string>(StringComparer.Ordinal);
        if (_stopping)
        {
            return idle;
        }
        foreach (var queue in _lanes.Keys.Prepend(_commands).OfType<CommandQueue>().Where(q => !q.Stopping))
        {
            if (WhyNotConsuming(queue) is { } why)
            {
                idle[queue.Queue] = why;
            }
        }
        return idle;
    }

    /// <summary>Why <paramref name="queue"/> is not being consumed (the connection first), or null while it is.</summary>
    private string? WhyNotConsuming(CommandQueue? queue) =>
        _connection is { IsOpen: false } connection ? $"connection to the broker lost, recovering ({connection.CloseReason?.ReplyText})"
        : queue is null ? "not started"
        : queue.IsConsuming ? null : queue.State;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var router = _scope.Value.ServiceProvider.GetRequiredService<SendSmsRouter>();
        _commands = Queue(SendSms.QueueName, (ushort)Prefetch, (ushort)Prefetch, router.RouteAsync, DeclareCommandsAsync);
        _commands.Start();
        return Task.CompletedTask;
    }

    /// <summary>Starts consuming one of <paramref name="connection"/>'s queues: <see cref="ConnectionQueueGate"/> calls it while the connection is bound.</summary>
    public IConnectionLane Open(SmppConnectionOptions connection, bool high)
    {
        var consumer = _scope.Value.ServiceProvider.GetRequiredService<SendSmsConsumer>();
        var (prefetch, concurrency) = SendSmsConsumerDefinition.Limits(connection, options.RabbitMq, high);
        var name = high ? connection.HighQueueName : connection.QueueName;
        var lane = Queue(name, prefetch, concurrency, consumer.ConsumeAsync, (channel, cancellationToken) => DeclareLaneAsync(channel, name, cancellationToken));
        _lanes.TryAdd(lane, true);
        lane.Start();
        return new Lane(this, lane);
    }

    private CommandQueue Queue(string name, ushort prefetch, ushort concurrency, Func<SendSmsContext, Task> handler, Func<IChannel, CancellationToken, Task> declare) =>
        new(name, prefetch, concurrency, handler, declare, ConnectAsync, options, publisher, time, logger);

    /// <summary>The connection every queue is consumed on, opened by whichever queue needs it first.</summary>
    private async Task<IConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is { } connection)
        {
            return connection;
        }
        await _connecting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_connection is null)
            {
                _connection = await RabbitMqBrokerPublisher.ConnectAsync(options.RabbitMq, "smpp-adapter consumer", cancellationToken).ConfigureAwait(false);
                LogConnected(_connection.Endpoint.HostName, _connection.Endpoint.Port);
            }
            return _connection;
        }
        finally
        {
            _connecting.Release();
        }
    }

    /// <summary>
    /// As MassTransit's endpoint declares them: the queue (<see cref="QueueTopology"/>'s arguments), its fanout exchange of
    /// the same name bound to it, <see cref="ContractNames.SendSmsExchange"/> bound to that exchange (MassTransit's
    /// Publish), the <c>_error</c> queue; and each connection's queues, which the router forwards to before their
    /// connection's endpoint ever ran.
    /// </summary>
    private async Task DeclareCommandsAsync(IChannel channel, CancellationToken cancellationToken)
    {
        var rabbit = options.RabbitMq;
        var queue = SendSms.QueueName;
        await CommandQueue.DeclareQueueAsync(channel, queue, QueueTopology.Arguments(queue, rabbit), cancellationToken).ConfigureAwait(false);
        await channel.ExchangeDeclareAsync(ContractNames.SendSmsExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        await channel.ExchangeBindAsync(queue, ContractNames.SendSmsExchange, "", cancellationToken: cancellationToken).ConfigureAwait(false);
        if (rabbit.QueueType == RabbitMqQueueType.Quorum)
        {
            // The dead-letter target exists before anything can be dead-lettered into it (classic: declared when first used).
            await CommandQueue.DeclareQueueAsync(channel, QueueTopology.ErrorQueueName(queue), QueueTopology.EndOfLineArguments(rabbit), cancellationToken).ConfigureAwait(false);
        }
        foreach (var connection in options.Connections)
        {
            await DeclareLaneAsync(channel, connection.QueueName, cancellationToken).ConfigureAwait(false);
            await DeclareLaneAsync(channel, connection.HighQueueName, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One of a connection's queues, as MassTransit's endpoint declares it (not bound to <see cref="ContractNames.SendSmsExchange"/>).</summary>
    private async Task DeclareLaneAsync(IChannel channel, string queue, CancellationToken cancellationToken)
    {
        var rabbit = options.RabbitMq;
        await CommandQueue.DeclareQueueAsync(channel, queue, QueueTopology.Arguments(queue, rabbit), cancellationToken).ConfigureAwait(false);
        if (rabbit.QueueType == RabbitMqQueueType.Quorum)
        {
            // The dead-letter target exists before anything can be dead-lettered into it.
            await CommandQueue.DeclareQueueAsync(channel, QueueTopology.ErrorQueueName(queue), QueueTopology.EndOfLineArguments(rabbit), cancellationToken).ConfigureAwait(false);
        }
    }


    /// <summary>
    /// Stops consuming <c>smpp-send-sms</c> and lets what it holds finish (until the host's stop budget runs out, then
    /// their token fires and they hand back what they can), stops any lane the gate left open, then closes the
    /// connection: anything still unacknowledged goes back to its queue.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        var stopping = _lanes.Keys.Select(lane => lane.StopAsync(cancellationToken)).ToList();
        if (_commands is { } commands)
        {
            stopping.Add(commands.StopAsync(cancellationToken));
        }
        await Task.WhenAll(stopping).ConfigureAwait(false);
        if (_connection is { } connection)
        {
            try
            {
                await connection.CloseAsync(Constants.ReplySuccess, "adapter stopping", TimeSpan.FromSeconds(5), abort: false, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogDebugStop("closing the connection", e.Message);
            }
        }
    }

    public void Dispose()
    {
        _connection?.Dispose();
        if (_scope.IsValueCreated)
        {
            _scope.Value.Dispose();
        }
        _connecting.Dispose();
    }

    /// <summary>A connection's queue opened by the gate: stopping it drains it and forgets it.</summary>
    private sealed class Lane(SendSmsQueueConsumer owner, CommandQueue queue) : IConnectionLane
    {
        public Task Ready => queue.Ready;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            try
            {
                await queue.StopAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                owner._lanes.TryRemove(queue, out _);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Command consumer connected to {Host}:{Port}")]
    private partial void LogConnected(string host, int port);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stopping the command consumer, {Step}: {Error}")]
    private partial void LogDebugStop(string step, string error);
}
