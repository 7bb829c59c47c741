using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Telemetry;
using MassTransit.Serialization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Consumes the public command queue <c>smpp-send-sms</c> on RabbitMQ.Client (<c>RabbitMq:Consumer=RabbitMqClient</c>, the
/// default), past MassTransit's receive pipeline, and hands each command to <see cref="SendSmsRouter"/>: the busiest
/// endpoint of the adapter, once per command, where MassTransit's consume cost a tenth of the gateway's CPU per command
/// (docs/performance.md). The connections' queues stay on MassTransit (they carry forwards and hand-backs only).
/// </summary>
/// <remarks>
/// <para>What it keeps of MassTransit's endpoint, each covered by SendSmsQueueConsumerTests: the queue, its exchange and
/// <see cref="ContractNames.SendSmsExchange"/>'s binding declared as MassTransit declares them (<see cref="QueueTopology"/>),
/// with the connections' queues the router forwards to; plain JSON (any content type but MassTransit's, or none) and
/// MassTransit's envelope (its conversation and headers), both read with MassTransit's JSON options
/// (<see cref="LenientSendSmsConverter"/>); the caller's trace from <c>traceparent</c> or <c>MT-Activity-Id</c>, in a
/// consumer span named as MassTransit names it; prefetch and concurrency of <c>2 × window</c> (or
/// <c>RabbitMq:PrefetchCount</c>); <see cref="BusPolicy.Retry"/>'s retries in place, then a command whose publish ran past
/// its deadline is returned to the queue (nack, requeue) and any other failure moves it to <c>smpp-send-sms_error</c> with
/// MassTransit's fault headers; a body that is not a command goes there too, an envelope of another message type to
/// <c>smpp-send-sms_skipped</c>. A command is acknowledged only once the router returned, that is after its outcome (or its
/// forward, or its hand-back) was confirmed.</para>
/// <para>Its own connection (RabbitMQ recommends consuming and publishing apart: a broker alarm blocks a publishing
/// connection, acknowledgements included), recovered by the client with its topology and consumer. A delivery of a
/// channel lost before it was acknowledged comes back; the client drops the old channel's acknowledgement, and the
/// idempotency store answers the redelivery (DESIGN.md). A channel the broker closes while the connection stays up is
/// opened again. Stopping: the consumer is cancelled, what it holds is finished (its <see cref="SendSmsContext.CancellationToken"/>
/// fires only when the host's stop budget runs out), then the connection is closed; whatever is unacknowledged then is
/// requeued by the broker.</para>
/// </remarks>
public sealed partial class SendSmsQueueConsumer(
    IServiceScopeFactory scopes,
    AdapterOptions options,
    RabbitMqBrokerPublisher publisher,
    TimeProvider time,
    ILogger<SendSmsQueueConsumer> logger) : BackgroundService, IHealthCheck, IEndpointHealthSource
{
    /// <summary>MassTransit's envelope; anything else is read as plain JSON.</summary>
    private const string EnvelopeContentType = "application/vnd.masstransit+json";

    private static readonly string SendSmsUrn = MessageUrn.ForTypeString<SendSms>();

    private readonly string _queue = SendSms.QueueName;
    private readonly Uri _inputAddress = RabbitMqBrokerPublisher.AddressOf(options.RabbitMq.Uri, SendSms.QueueName);
    private readonly CancellationTokenSource _abort = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _endOfLine = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IServiceScope? _scope;
    private SendSmsRouter? _router;
    private IConnection? _connection;
    private IChannel? _channel;
    private string? _consumerTag;
    private int _inFlight;
    private volatile bool _stopping;
    private volatile string _state = "not connected to the broker yet";

    /// <summary>Prefetch and concurrency: the router's room to submit a window's worth itself and to keep forwarding past it.</summary>
    public int Prefetch { get; } = options.RabbitMq.PrefetchCount ?? Math.Min(2 * options.Connections.Sum(c => c.TotalWindow), ushort.MaxValue);

    /// <summary>Consuming: connected, the channel open and the consumer registered on it.</summary>
    public bool IsConsuming => _connection is { IsOpen: true } && _channel is { IsOpen: true } && !_stopping;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsConsuming
            ? HealthCheckResult.Healthy($"{_queue}: consuming (RabbitMQ.Client, prefetch {Prefetch})")
            : HealthCheckResult.Unhealthy($"{_queue}: not consuming ({_state})"));

    /// <summary>For <see cref="EndpointStallWatchdog"/>: this queue while it is not consumed.</summary>
    public IReadOnlyDictionary<string, string> NotConsuming() =>
        IsConsuming || _stopping ? new Dictionary<string, string>() : new Dictionary<string, string> { [_queue] = _state };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _scope = scopes.CreateScope();
        _router = _scope.ServiceProvider.GetRequiredService<SendSmsRouter>();
        var pause = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ConsumeAsync(stoppingToken).ConfigureAwait(false);
                pause = TimeSpan.FromSeconds(1);
                // Consuming: look again in a moment for a channel the broker closed under a connection that stayed up
                // (the client recovers channels only with their connection).
                await WhileConsumingAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _state = e.Message;
                LogCannotConsume(_queue, e.Message, pause);
                try
                {
                    await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    /// <summary>Connects if need be, opens a channel, declares the topology and starts consuming.</summary>
    private async Task ConsumeAsync(CancellationToken cancellationToken)
    {
        if (_connection is not { } connection)
        {
            connection = await RabbitMqBrokerPublisher.ConnectAsync(options.RabbitMq, "smpp-adapter consumer", cancellationToken).ConfigureAwait(false);
            _connection = connection;
            LogConnected(connection.Endpoint.HostName, connection.Endpoint.Port);
        }
        if (_channel is { } old)
        {
            await old.DisposeAsync().ConfigureAwait(false);
            _channel = null;
        }
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: (ushort)Prefetch), cancellationToken)
            .ConfigureAwait(false);
        try
        {
            await DeclareAsync(channel, cancellationToken).ConfigureAwait(false);
            await channel.BasicQosAsync(0, (ushort)Prefetch, global: false, cancellationToken).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += OnReceivedAsync;
            _consumerTag = await channel.BasicConsumeAsync(_queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        _channel = channel;
        _state = "consuming";
        LogConsuming(_queue, Prefetch);
    }

    /// <summary>Returns when the channel was closed by the broker while the connection stayed open (twice a second apart, not a recovery under way).</summary>
    private async Task WhileConsumingAsync(CancellationToken cancellationToken)
    {
        var closedBefore = false;
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(false);
            var connectionOpen = _connection is { IsOpen: true };
            var closed = connectionOpen && _channel is { IsOpen: false };
            _state = connectionOpen ? _channel is { IsOpen: true } ? "consuming" : $"channel closed ({_channel?.CloseReason?.ReplyText})"
                : $"connection to the broker lost, recovering ({_connection?.CloseReason?.ReplyText})";
            if (closed && closedBefore)
            {
                LogChannelReopened(_queue, _channel?.CloseReason?.ReplyText);
                return;
            }
            closedBefore = closed;
        }
    }

    /// <summary>
    /// As MassTransit's endpoint declares them: the queue (<see cref="QueueTopology"/>'s arguments), its fanout exchange of
    /// the same name bound to it, <see cref="ContractNames.SendSmsExchange"/> bound to that exchange (MassTransit's
    /// Publish), the <c>_error</c> queue; and each connection's queues, which the router forwards to before their
    /// connection's endpoint ever ran.
    /// </summary>
    private async Task DeclareAsync(IChannel channel, CancellationToken cancellationToken)
    {
        var rabbit = options.RabbitMq;
        await DeclareQueueAsync(channel, _queue, QueueTopology.Arguments(_queue, rabbit), cancellationToken).ConfigureAwait(false);
        await channel.ExchangeDeclareAsync(ContractNames.SendSmsExchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        await channel.ExchangeBindAsync(_queue, ContractNames.SendSmsExchange, "", cancellationToken: cancellationToken).ConfigureAwait(false);
        if (rabbit.QueueType == RabbitMqQueueType.Quorum)
        {
            // The dead-letter target exists before anything can be dead-lettered into it (classic: declared when first used).
            await DeclareQueueAsync(channel, QueueTopology.ErrorQueueName(_queue), QueueTopology.EndOfLineArguments(rabbit), cancellationToken).ConfigureAwait(false);
        }
        foreach (var connection in options.Connections)
        {
            foreach (var queue in new[] { connection.QueueName, connection.HighQueueName })
            {
                await DeclareQueueAsync(channel, queue, QueueTopology.Arguments(queue, rabbit), cancellationToken).ConfigureAwait(false);
                if (rabbit.QueueType == RabbitMqQueueType.Quorum)
                {
                    // The dead-letter target exists before anything can be dead-lettered into it.
                    await DeclareQueueAsync(channel, QueueTopology.ErrorQueueName(queue), QueueTopology.EndOfLineArguments(rabbit), cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private static async Task DeclareQueueAsync(IChannel channel, string queue, IDictionary<string, object?>? arguments, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.ExchangeDeclareAsync(queue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueBindAsync(queue, queue, "", cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task OnReceivedAsync(object sender, BasicDeliverEventArgs delivery)
    {
        var channel = ((AsyncEventingBasicConsumer)sender).Channel;
        Interlocked.Increment(ref _inFlight);
        try
        {
            await HandleAsync(channel, delivery).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            // Nothing above throws by design; should something, the command goes back to the queue rather than vanish.
            LogUnexpected(e, _queue);
            await SettleAsync(channel, delivery, requeue: true).ConfigureAwait(false);
        }
        finally
        {
            if (Interlocked.Decrement(ref _inFlight) == 0 && _stopping)
            {
                _drained.TrySetResult();
            }
        }
    }

    private async Task HandleAsync(IChannel channel, BasicDeliverEventArgs delivery)
    {
        var read = Read(delivery);
        if (read.Context is not { } context)
        {
            var skipped = read.Skipped;
            var queue = skipped ? $"{_queue}_skipped" : QueueTopology.ErrorQueueName(_queue);
            LogNotACommand(_queue, delivery.BasicProperties.MessageId, read.Problem!, queue);
            await MoveAsync(channel, delivery, queue, skipped ? null : new Fault(NotACommandType, read.Problem!, ""), skipped ? "skip" : "fault", retries: 0).ConfigureAwait(false);
            return;
        }
        using var span = AdapterTelemetry.StartConsumeSpan($"{_queue} process", _queue, delivery.BasicProperties.MessageId, read.Parent, links: null);
        Exception? failure = null;
        var retries = 0;
        for (; retries <= BusPolicy.RetryIntervals.Count; retries++)
        {
            try
            {
                await _router!.RouteAsync(context).ConfigureAwait(false);
                failure = null;
                break;
            }
            catch (Exception e)
            {
                failure = e;
                if (retries == BusPolicy.RetryIntervals.Count || _abort.IsCancellationRequested)
                {
                    break;
                }
                LogRetrying(context.Message.MessageId, e.Message, BusPolicy.RetryIntervals[retries]);
                await Task.Delay(BusPolicy.RetryIntervals[retries], time).ConfigureAwait(false);
            }
        }
        if (failure is null)
        {
            await SettleAsync(channel, delivery, requeue: null).ConfigureAwait(false);
            return;
        }
        span?.SetStatus(ActivityStatusCode.Error, failure.Message);
        if (failure is OperationCanceledException)
        {
            // A publish past its deadline (the broker blocks publishers) or a stop: back to the queue, for when the broker
            // takes publishes again or the next process, not to _error, whose own publish the broker would hold too.
            LogRequeued(context.Message.MessageId, failure.Message);
            await SettleAsync(channel, delivery, requeue: true).ConfigureAwait(false);
            return;
        }
        LogFaulted(failure, context.Message.MessageId, QueueTopology.ErrorQueueName(_queue));
        await MoveAsync(channel, delivery, QueueTopology.ErrorQueueName(_queue), new Fault(failure.GetType().FullName!, failure.Message, failure.StackTrace ?? ""), "fault", retries)
            .ConfigureAwait(false);
    }

    /// <summary>What MassTransit's fault headers say of why a delivery was moved.</summary>
    private sealed record Fault(string ExceptionType, string Message, string StackTrace);

    /// <summary>The exception MassTransit names when a body cannot be read as the message.</summary>
    private const string NotACommandType = "System.Runtime.Serialization.SerializationException";

    /// <summary>
    /// Publishes the delivery as it arrived to <paramref name="queue"/> (its exchange, mandatory, confirmed) with
    /// MassTransit's fault headers, then acknowledges it; if that publish fails the delivery is returned to its queue.
    /// </summary>
    private async Task MoveAsync(IChannel channel, BasicDeliverEventArgs delivery, string queue, Fault? fault, string reason, int retries)
    {
        var source = delivery.BasicProperties;
        var headers = source.Headers is { } original ? new Dictionary<string, object?>(original) : new Dictionary<string, object?>();
        headers["MT-Reason"] = reason;
        headers["MT-Fault-InputAddress"] = _inputAddress.ToString();
        headers["MT-Fault-Timestamp"] = time.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        if (fault is not null)
        {
            headers["MT-Fault-ExceptionType"] = fault.ExceptionType;
            headers["MT-Fault-Message"] = fault.Message;
            headers["MT-Fault-StackTrace"] = fault.StackTrace;
            headers["MT-Fault-RetryCount"] = retries;
        }
        var properties = new BasicProperties
        {
            ContentType = source.ContentType,
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = source.MessageId,
            Headers = headers,
        };
        try
        {
            using var deadline = new CancellationTokenSource(options.Sending.PublishTimeout, time);
            if (!_endOfLine.ContainsKey(queue))
            {
                // As MassTransit does when it first moves a message there: declared on first use.
                await DeclareQueueAsync(channel, queue, QueueTopology.EndOfLineArguments(options.RabbitMq), deadline.Token).ConfigureAwait(false);
                _endOfLine.TryAdd(queue, true);
            }
            await publisher.SendToQueueAsync(queue, properties, delivery.Body.ToArray(), deadline.Token).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            LogMoveFailed(queue, e.Message);
            await SettleAsync(channel, delivery, requeue: true).ConfigureAwait(false);
            return;
        }
        await SettleAsync(channel, delivery, requeue: null).ConfigureAwait(false);
    }

    /// <summary>
    /// Acknowledges (<paramref name="requeue"/> null) or returns the delivery. On a channel lost meanwhile this does
    /// nothing: the broker delivers it again, and the client drops an old channel's tag after a recovery.
    /// </summary>
    private async Task SettleAsync(IChannel channel, BasicDeliverEventArgs delivery, bool? requeue)
    {
        try
        {
            if (requeue is { } back)
            {
                await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: back).ConfigureAwait(false);
            }
            else
            {
                await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException)
        {
            LogSettleLost(delivery.BasicProperties.MessageId, e.Message);
        }
    }

    private readonly record struct ReadResult(SendSmsContext? Context, ActivityContext Parent, string? Problem, bool Skipped);

    /// <summary>The command in the delivery, plain JSON or MassTransit's envelope, with the trace it continues; or why it is none.</summary>
    private ReadResult Read(BasicDeliverEventArgs delivery)
    {
        var properties = delivery.BasicProperties;
        var headers = properties.Headers;
        SendSms? command;
        Guid? conversationId = null;
        Dictionary<string, JsonElement>? envelopeHeaders = null;
        try
        {
            if (string.Equals(properties.ContentType, EnvelopeContentType, StringComparison.OrdinalIgnoreCase))
            {
                var envelope = JsonSerializer.Deserialize<InboundEnvelope>(delivery.Body.Span, SystemTextJsonMessageSerializer.Options);
                if (envelope?.MessageType is { Length: > 0 } types && !types.Contains(SendSmsUrn, StringComparer.Ordinal))
                {
                    return new ReadResult(null, default, $"an envelope of {string.Join(", ", types)}, not {SendSmsUrn}", Skipped: true);
                }
                command = envelope?.Message;
                conversationId = envelope?.ConversationId;
                envelopeHeaders = envelope?.Headers;
            }
            else
            {
                command = JsonSerializer.Deserialize<SendSms>(delivery.Body.Span, SystemTextJsonMessageSerializer.Options);
            }
        }
        catch (JsonException e)
        {
            return new ReadResult(null, default, $"not a SendSms in JSON: {e.Message}", Skipped: false);
        }
        if (command is null)
        {
            return new ReadResult(null, default, "not a SendSms in JSON: the body is null", Skipped: false);
        }
        var handBacks = IntHeader(headers, SendSmsContext.HandBackCountHeader)
            ?? (envelopeHeaders?.TryGetValue(SendSmsContext.HandBackCountHeader, out var count) == true && count.TryGetInt32(out var n) ? n : (int?)null) ?? 0;
        var consumed = new ConsumedMessage(conversationId, _inputAddress, null);
        var context = new SendSmsContext(command, consumed, properties.ContentType, delivery.Body, handBacks, _abort.Token);
        return new ReadResult(context, Parent(headers, envelopeHeaders), null, Skipped: false);
    }

    /// <summary>The caller's span: <c>traceparent</c> (with <c>tracestate</c>), else <c>MT-Activity-Id</c>, from the transport headers, then the envelope's.</summary>
    private static ActivityContext Parent(IDictionary<string, object?>? headers, Dictionary<string, JsonElement>? envelopeHeaders)
    {
        foreach (var name in new[] { TraceparentFilter<SendSms>.Header, RabbitMqBrokerPublisher.MassTransitActivityHeader })
        {
            var value = StringHeader(headers, name)
                ?? (envelopeHeaders?.TryGetValue(name, out var element) == true && element.ValueKind == JsonValueKind.String ? element.GetString() : null);
            if (value is not null && ActivityContext.TryParse(value, StringHeader(headers, "tracestate"), isRemote: true, out var parent))
            {
                return parent;
            }
        }
        return default;
    }

    private static string? StringHeader(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value)
            ? value switch { byte[] bytes => Encoding.UTF8.GetString(bytes), string text => text, _ => null }
            : null;

    private static int? IntHeader(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out var value)
            ? value switch
            {
                int i => (int?)i,
                long l => (int)l,
                short s => s,
                byte b => b,
                byte[] bytes when int.TryParse(Encoding.UTF8.GetString(bytes), System.Globalization.CultureInfo.InvariantCulture, out var parsed) => parsed,
                _ => null,
            }
            : null;

    /// <summary>What the adapter reads of MassTransit's envelope.</summary>
    private sealed record InboundEnvelope(Guid? MessageId, Guid? ConversationId, string[]? MessageType, SendSms? Message, Dictionary<string, JsonElement>? Headers);

    /// <summary>
    /// Stops consuming, lets what it holds finish (until the host's stop budget runs out, then their token fires and
    /// they hand back what they can), then closes the connection: anything still unacknowledged goes back to the queue.
    /// </summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        if (_channel is { IsOpen: true } channel)
        {
            try
            {
                if (_consumerTag is { } tag)
                {
                    await channel.BasicCancelAsync(tag, noWait: false, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogDebugStop("cancelling the consumer", e.Message);
            }
        }
        if (Volatile.Read(ref _inFlight) == 0)
        {
            _drained.TrySetResult();
        }
        try
        {
            await _drained.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogStopBudgetSpent(_queue, Volatile.Read(ref _inFlight));
            await _abort.CancelAsync().ConfigureAwait(false);
            await _drained.Task.WaitAsync(TimeSpan.FromSeconds(5), time, CancellationToken.None).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
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

    public override void Dispose()
    {
        base.Dispose();
        _channel?.Dispose();
        _connection?.Dispose();
        _scope?.Dispose();
        _abort.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Command consumer connected to {Host}:{Port}")]
    private partial void LogConnected(string host, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming {Queue} on RabbitMQ.Client (prefetch and concurrency {Prefetch})")]
    private partial void LogConsuming(string queue, int prefetch);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot consume {Queue} ({Error}); trying again in {Pause}")]
    private partial void LogCannotConsume(string queue, string error, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The broker closed the channel consuming {Queue} ({Reason}); opening another")]
    private partial void LogChannelReopened(string queue, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MessageId} failed ({Error}); trying again in {Pause}")]
    private partial void LogRetrying(string? messageId, string error, TimeSpan pause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{MessageId} returned to the queue: {Error}")]
    private partial void LogRequeued(string? messageId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{MessageId} failed after its retries; moved to {ErrorQueue}")]
    private partial void LogFaulted(Exception e, string? messageId, string errorQueue);

    [LoggerMessage(Level = LogLevel.Error, Message = "A delivery on {Queue} (broker message {BrokerMessageId}) is not a command: {Problem}; moved to {Target}")]
    private partial void LogNotACommand(string queue, string? brokerMessageId, string problem, string target);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not move a delivery to {Queue} ({Error}); returned to its queue instead")]
    private partial void LogMoveFailed(string queue, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "The channel of {BrokerMessageId} was lost before it was settled ({Error}); the broker delivers it again")]
    private partial void LogSettleLost(string? brokerMessageId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure consuming {Queue}; the delivery is returned to the queue")]
    private partial void LogUnexpected(Exception e, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The stop budget ran out with {InFlight} commands of {Queue} still held; cancelling them")]
    private partial void LogStopBudgetSpent(string queue, int inFlight);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stopping the command consumer, {Step}: {Error}")]
    private partial void LogDebugStop(string step, string error);
}
