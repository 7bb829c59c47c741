using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Telemetry;
using MassTransit.Serialization;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// One command queue consumed on a channel of its own, on RabbitMQ.Client, past MassTransit's receive pipeline: each
/// delivery is read as a <see cref="SendSmsContext"/>, handed to <c>handler</c> (the router for <c>smpp-send-sms</c>,
/// <see cref="SendSmsConsumer"/> for a connection's queues) and acknowledged only once the handler returned, that is after
/// the command's outcome (or forward, or hand-back) was confirmed (in as few frames as the order of completion allows:
/// <see cref="ChannelAcks"/>). <see cref="SendSmsQueueConsumer"/> owns the connection
/// and runs one for <c>smpp-send-sms</c>, and one for each of a connection's lanes while <see cref="ConnectionQueueGate"/>
/// keeps them open.
/// </summary>
/// <remarks>
/// <para>What it keeps of MassTransit's endpoint, each covered by SendSmsQueueConsumerTests: plain JSON (any content type
/// but MassTransit's, or none) and MassTransit's envelope (its conversation and headers), both read with MassTransit's JSON
/// options (<see cref="LenientSendSmsConverter"/>); the caller's trace from <c>traceparent</c> or <c>MT-Activity-Id</c>,
/// in a consumer span named as MassTransit names it; the hand-back count header; <see cref="BusPolicy.RetryIntervals"/>'s
/// retries in place, then a command whose publish ran past its deadline is returned to the queue (nack, requeue) and any
/// other failure moves it to <c>&lt;queue&gt;_error</c> with MassTransit's fault headers; a body that is not a command goes
/// there too, an envelope of another message type to <c>&lt;queue&gt;_skipped</c>.</para>
/// <para>The channel is recovered by the client with its connection (topology and consumer included); one the broker
/// closes while the connection stays up is opened again. A delivery of a channel lost before it was acknowledged comes
/// back; the client drops the old channel's acknowledgement, and the idempotency store answers the redelivery
/// (DESIGN.md). Stopping: the consumer is cancelled, what it holds is finished (its
/// <see cref="SendSmsContext.CancellationToken"/> fires only when the stop budget runs out), then the channel is closed;
/// whatever is unacknowledged then is requeued by the broker.</para>
/// </remarks>
internal sealed partial class CommandQueue(
    string queue,
    ushort prefetch,
    ushort concurrency,
    Func<SendSmsContext, Task> handler,
    Func<IChannel, CancellationToken, Task> declare,
    Func<CancellationToken, Task<IConnection>> connect,
    AdapterOptions options,
    RabbitMqBrokerPublisher publisher,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>MassTransit's envelope; anything else is read as plain JSON.</summary>
    private const string EnvelopeContentType = "application/vnd.masstransit+json";

    private static readonly string SendSmsUrn = MessageUrn.ForTypeString<SendSms>();

    private readonly string _queue = queue;
    private readonly Uri _inputAddress = RabbitMqBrokerPublisher.AddressOf(options.RabbitMq.Uri, queue);
    private readonly CancellationTokenSource _abort = new();
    private readonly CancellationTokenSource _run = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _endOfLine = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _running = Task.CompletedTask;
    private Task? _stopped;
    private IChannel? _channel;
    private string? _consumerTag;
    private int _inFlight;
    private volatile bool _stopping;
    private volatile string _state = "not connected to the broker yet";

    public string Queue => _queue;

    /// <summary>Completes the first time the queue is consumed; cancelled if it is stopped before.</summary>
    public Task Ready => _ready.Task;

    /// <summary>Consuming: the channel open and the consumer registered on it (its connection open).</summary>
    public bool IsConsuming => _channel is { IsOpen: true } && !_stopping;

    /// <summary>Stopped, or stopping: no longer expected to consume.</summary>
    public bool Stopping => _stopping;

    /// <summary>What it is doing, for health and the stall watchdog.</summary>
    public string State => _state;

    /// <summary>Starts consuming, and keeps at it (connecting, reopening a closed channel) until <see cref="StopAsync"/>.</summary>
    public void Start() => _running = RunAsync(_run.Token);

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        var pause = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var connection = await connect(stoppingToken).ConfigureAwait(false);
                await ConsumeAsync(connection, stoppingToken).ConfigureAwait(false);
                _ready.TrySetResult();
                pause = TimeSpan.FromSeconds(1);
                // Consuming: look again in a moment for a channel the broker closed under a connection that stayed up
                // (the client recovers channels only with their connection).
                await WhileConsumingAsync(connection, stoppingToken).ConfigureAwait(false);
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

    /// <summary>Opens a channel, declares the topology and starts consuming.</summary>
    private async Task ConsumeAsync(IConnection connection, CancellationToken cancellationToken)
    {
        if (_channel is { } old)
        {
            await old.DisposeAsync().ConfigureAwait(false);
            _channel = null;
        }
        var channel = await connection.CreateChannelAsync(new CreateChannelOptions(false, false, consumerDispatchConcurrency: concurrency), cancellationToken)
            .ConfigureAwait(false);
        try
        {
            await declare(channel, cancellationToken).ConfigureAwait(false);
            await channel.BasicQosAsync(0, prefetch, global: false, cancellationToken).ConfigureAwait(false);
            var consumer = new AsyncEventingBasicConsumer(channel);
            var acks = new ChannelAcks(channel, Math.Max(1, prefetch / 4));
            consumer.ReceivedAsync += (_, delivery) => OnReceivedAsync(acks, delivery);
            _consumerTag = await channel.BasicConsumeAsync(_queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        _channel = channel;
        _state = "consuming";
        LogConsuming(_queue, prefetch, concurrency);
    }

    /// <summary>Returns when the channel was closed by the broker while the connection stayed open (twice a second apart, not a recovery under way).</summary>
    private async Task WhileConsumingAsync(IConnection connection, CancellationToken cancellationToken)
    {
        var closedBefore = false;
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(false);
            var connectionOpen = connection.IsOpen;
            var closed = connectionOpen && _channel is { IsOpen: false };
            _state = connectionOpen ? _channel is { IsOpen: true } ? "consuming" : $"channel closed ({_channel?.CloseReason?.ReplyText})"
                : $"connection to the broker lost, recovering ({connection.CloseReason?.ReplyText})";
            if (closed && closedBefore)
            {
                LogChannelReopened(_queue, _channel?.CloseReason?.ReplyText);
                return;
            }
            closedBefore = closed;
        }
    }

    /// <summary>A durable queue with its fanout exchange of the same name bound to it, as MassTransit declares an endpoint's queue.</summary>
    internal static async Task DeclareQueueAsync(IChannel channel, string queue, IDictionary<string, object?>? arguments, CancellationToken cancellationToken)
    {
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.ExchangeDeclareAsync(queue, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        await channel.QueueBindAsync(queue, queue, "", cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task OnReceivedAsync(ChannelAcks channel, BasicDeliverEventArgs delivery)
    {
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

    private async Task HandleAsync(ChannelAcks channel, BasicDeliverEventArgs delivery)
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
                await handler(context).ConfigureAwait(false);
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
    private async Task MoveAsync(ChannelAcks channel, BasicDeliverEventArgs delivery, string queue, Fault? fault, string reason, int retries)
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
                await DeclareQueueAsync(channel.Channel, queue, QueueTopology.EndOfLineArguments(options.RabbitMq), deadline.Token).ConfigureAwait(false);
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
    private async Task SettleAsync(ChannelAcks channel, BasicDeliverEventArgs delivery, bool? requeue)
    {
        try
        {
            await channel.SettleAsync(delivery.DeliveryTag, requeue).ConfigureAwait(false);
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
    /// Stops consuming, lets what it holds finish (until <paramref name="cancellationToken"/>, the stop budget, fires: then
    /// their token fires and they hand back what they can), then closes the channel: anything still unacknowledged goes
    /// back to the queue.
    /// </summary>
    public Task StopAsync(CancellationToken cancellationToken)
    {
        lock (_abort)
        {
            _stopping = true;
            return _stopped ??= StopOnceAsync(cancellationToken);
        }
    }

    private async Task StopOnceAsync(CancellationToken cancellationToken)
    {
        await _run.CancelAsync().ConfigureAwait(false);
        _ready.TrySetCanceled(CancellationToken.None);
        await _running.ConfigureAwait(false);
        var channel = _channel;
        if (channel is { IsOpen: true })
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
                LogDebugStop(_queue, "cancelling the consumer", e.Message);
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
        if (channel is not null)
        {
            try
            {
                await channel.CloseAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                LogDebugStop(_queue, "closing the channel", e.Message);
            }
            channel.Dispose();
        }
        // The token sources are not disposed: a handler finishing after the budget may still read its token.
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Consuming {Queue} on RabbitMQ.Client (prefetch {Prefetch}, concurrency {Concurrency})")]
    private partial void LogConsuming(string queue, int prefetch, int concurrency);

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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Stopping the consumer of {Queue}, {Step}: {Error}")]
    private partial void LogDebugStop(string queue, string step, string error);
}
