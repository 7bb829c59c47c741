using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Telemetry;
using MassTransit.Serialization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Instasent.SmppAdapter.Hosting;

/// <summary>
/// The adapter's events and forwards on RabbitMQ.Client, past MassTransit's send pipeline (a quarter of the adapter's CPU
/// per command with receipts, docs/performance.md): each event in MassTransit's JSON envelope (so MassTransit subscribers
/// and plain AMQP clients read it as before), persistent, to its fanout exchange; each forwarded command as it arrived
/// (its bytes and content type: plain JSON stays plain JSON, a third of the size of MassTransit's envelope around it),
/// persistent and mandatory, to its connection queue's exchange. Each awaited until the broker confirms it.
/// </summary>
/// <remarks>
/// <para>Its own connection from <c>RabbitMq:*</c> (credentials, <c>ClusterNodes</c> as the endpoints tried in turn),
/// opened in the background so HTTP serves from the start, and recovered by the client when lost. A publish that meets
/// a closed channel or a nack waits for the connection and tries again until its caller's deadline
/// (<see cref="PublishDeadlines"/>): a message may then reach the broker twice, never zero times while the caller still
/// waits (subscribers and the adapter itself de-duplicate, DESIGN.md). A forward the broker returns (its queue does not
/// exist) fails at once, as MassTransit's mandatory send does.</para>
/// <para>Tracing as MassTransit does it: a producer span when something samples it, and the current span's context in
/// <c>traceparent</c> and <c>MT-Activity-Id</c>, so consumers continue the trace (<see cref="TraceToPropagate"/>: not
/// for an unsampled trace the adapter started itself).</para>
/// </remarks>
public sealed partial class RabbitMqBrokerPublisher(RabbitMqOptions options, TimeProvider time, ILogger<RabbitMqBrokerPublisher> logger)
    : BackgroundService, IBrokerPublisher, IHealthCheck, IBrokerConnectionState
{
    /// <summary>Between two tries of a publish that met a closed channel, and between checks of a recovering connection.</summary>
    internal static readonly TimeSpan RetryPause = TimeSpan.FromMilliseconds(100);

    private const string EnvelopeContentType = "application/vnd.masstransit+json";

    private static readonly EnvelopeHost Host = EnvelopeHost.Current();

    // Per instance: an event's address names this broker's virtual host.
    private readonly ConcurrentDictionary<Type, EventType> _types = new();
    private readonly TaskCompletionSource<IConnection> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _opening = new(1, 1);
    // Events on one confirm channel whose confirms PublishConfirms tracks; mandatory sends (forwards, hand-backs, moves to
    // an _error queue) on another, tracked by the client, which matches a basic.return to its publish.
    private readonly ChannelSlot _events = new(OwnConfirms: true);
    private readonly ChannelSlot _sends = new(OwnConfirms: false);
    // The forwards' exchanges declared on the current send channel; cleared when a channel replaces it (ChannelAsync).
    private readonly ConcurrentDictionary<string, bool> _declared = new(StringComparer.Ordinal);
    private volatile string? _blocked;
    private volatile bool _stopped;

    public async Task PublishAsync(object message, ConsumedMessage? consumed, CancellationToken cancellationToken)
    {
        var type = _types.GetOrAdd(message.GetType(), static (t, uri) => EventType.Of(t, uri), options.Uri);
        var messageId = NewId.NextGuid();
        using var span = AdapterTelemetry.StartPublishSpan(type.Exchange, "publish", messageId);
        var traceId = CurrentTraceId();
        var envelope = new Envelope(messageId, consumed?.ConversationId ?? NewId.NextGuid(), consumed?.InputAddress, type.Address,
            type.MessageType, message, time.GetUtcNow().UtcDateTime, traceId is null ? EmptyHeaders : new Dictionary<string, string> { [MassTransitActivityHeader] = traceId }, Host);
        var body = JsonSerializer.SerializeToUtf8Bytes(envelope, SystemTextJsonMessageSerializer.Options);
        var properties = Properties(EnvelopeContentType, messageId, traceId);
        while (true)
        {
            var channel = await ChannelAsync(_events, cancellationToken).ConfigureAwait(false);
            var confirms = _events.Confirms!;
            try
            {
                await confirms.PublishAsync(channel, type.Exchange, properties, body, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (IsWorthRetrying(e) && !cancellationToken.IsCancellationRequested)
            {
                RetryingAfter(type.Exchange, e, span);
                await Task.Delay(RetryPause, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public Task ForwardAsync(SendSmsContext context, string queue, CancellationToken cancellationToken) =>
        SendCommandAsync(context, queue, null, cancellationToken);

    /// <summary>The command as it arrived (plain JSON stays plain JSON), its count in a transport header (read there first).</summary>
    public Task HandBackAsync(SendSmsContext context, string queue, int count, CancellationToken cancellationToken) =>
        SendCommandAsync(context, queue, count, cancellationToken);

    private async Task SendCommandAsync(SendSmsContext context, string queue, int? handBackCount, CancellationToken cancellationToken)
    {
        var messageId = NewId.NextGuid();
        using var span = AdapterTelemetry.StartPublishSpan(queue, "send", messageId);
        var properties = Properties(context.ContentType, messageId, CurrentTraceId(), handBackCount);
        await SendAsync(queue, properties, context.Body, span, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes a delivery as it is (<paramref name="properties"/>, <paramref name="body"/>) to <paramref name="queue"/>
    /// through its exchange, mandatory and confirmed: how the consumer of <c>smpp-send-sms</c> (Sending/SendSmsQueueConsumer) moves one to an _error queue.
    /// </summary>
    internal async Task SendToQueueAsync(string queue, BasicProperties properties, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var messageId = NewId.NextGuid();
        using var span = AdapterTelemetry.StartPublishSpan(queue, "send", messageId);
        await SendAsync(queue, properties, body, span, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>MassTransit's address of an exchange or queue named <paramref name="name"/> on <paramref name="broker"/>'s virtual host.</summary>
    internal static Uri AddressOf(Uri broker, string name)
    {
        var vhost = broker.AbsolutePath.Trim('/');
        return new Uri($"rabbitmq://{broker.Host}/{(vhost.Length > 0 ? vhost + "/" : "")}{name}");
    }

    /// <summary>
    /// Declares a queue's exchange once per channel, as MassTransit's send does (durable fanout): the router's endpoint
    /// declares it with its queue at start, but a publish to an exchange that does not exist would close the channel
    /// every event shares, where a declared one with no queue bound only returns the forward.
    /// </summary>
    private async ValueTask DeclareOnceAsync(IChannel channel, string exchange, CancellationToken cancellationToken)
    {
        if (_declared.ContainsKey(exchange))
        {
            return;
        }
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
        _declared.TryAdd(exchange, true);
    }

    /// <summary>Sends mandatory until the broker confirms it, trying again (see the remarks) until <paramref name="cancellationToken"/> fires.</summary>
    private async Task SendAsync(string exchange, BasicProperties properties, ReadOnlyMemory<byte> body, Activity? span, CancellationToken cancellationToken)
    {
        while (true)
        {
            var channel = await ChannelAsync(_sends, cancellationToken).ConfigureAwait(false);
            try
            {
                await DeclareOnceAsync(channel, exchange, cancellationToken).ConfigureAwait(false);
                await channel.BasicPublishAsync(exchange, "", mandatory: true, properties, body, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (IsWorthRetrying(e) && !cancellationToken.IsCancellationRequested)
            {
                RetryingAfter(exchange, e, span);
                await Task.Delay(RetryPause, time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Whether the broker took the failed publish is unknown: publishing again may deliver it twice, which consumers absorb.</summary>
    private void RetryingAfter(string exchange, Exception e, Activity? span)
    {
        LogPublishRetried(exchange, e.Message);
        span?.AddEvent(new ActivityEvent("retry", tags: new ActivityTagsCollection { ["exception.message"] = e.Message }));
    }

    private static string? CurrentTraceId() => TraceToPropagate(Activity.Current);

    /// <summary>
    /// The trace context a message carries on (<c>traceparent</c>, <c>MT-Activity-Id</c>): <paramref name="span"/>'s,
    /// when it is sampled or continues a caller's trace (sampled or not: the caller decided). Null for an unsampled trace
    /// the adapter started itself (a command that came without a trace context, a receipt) while nothing here samples:
    /// that context continues nothing, and subscribers are left to start their own trace. The two headers cost the broker
    /// 3.5–5 µs more per event, 6–12 % (docs/performance.md, Session 17).
    /// </summary>
    internal static string? TraceToPropagate(Activity? span)
    {
        if (span is not { IdFormat: ActivityIdFormat.W3C })
        {
            return null;
        }
        if (span.Recorded)
        {
            return span.Id;
        }
        // Spans started inside the adapter have their parent in-process; a caller's context is the remote parent of the
        // first of them.
        for (var current = span; current is not null; current = current.Parent)
        {
            if (current.HasRemoteParent)
            {
                return span.Id;
            }
        }
        return null;
    }

    private static BasicProperties Properties(string? contentType, Guid messageId, string? traceId, int? handBackCount = null)
    {
        Dictionary<string, object?>? headers = null;
        if (traceId is not null)
        {
            headers = new Dictionary<string, object?>(3)
            {
                [TraceparentFilter<SendSms>.Header] = traceId,
                [MassTransitActivityHeader] = traceId,
            };
        }
        if (handBackCount is { } count)
        {
            (headers ??= new Dictionary<string, object?>(1))[SendSmsContext.HandBackCountHeader] = count;
        }
        return new BasicProperties
        {
            ContentType = contentType,
            DeliveryMode = DeliveryModes.Persistent,
            MessageId = messageId.ToString(),
            Headers = headers,
        };
    }

    /// <summary>Connected, and the connection open (not lost and recovering).</summary>
    public bool IsConnected => _connected.Task.IsCompletedSuccessfully && _connected.Task.Result.IsOpen;

    /// <summary>Ready once connected, with the broker not blocking publishers (a memory or disk alarm).</summary>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!_connected.Task.IsCompletedSuccessfully)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("broker publisher: not connected to the broker yet"));
        }
        var connection = _connected.Task.Result;
        if (!connection.IsOpen)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"broker publisher: connection to the broker lost, recovering ({connection.CloseReason?.ReplyText})"));
        }
        return Task.FromResult(_blocked is { } reason
            ? HealthCheckResult.Degraded($"broker publisher: the broker blocks publishes ({reason}); outcomes and receipts wait until Adapter:PublishTimeout")
            : HealthCheckResult.Healthy($"broker publisher: connected to {connection.Endpoint.HostName}:{connection.Endpoint.Port}"));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopped = true;
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_connected.Task.IsCompletedSuccessfully)
        {
            // After every service that publishes stopped (hosted services stop in reverse order): nothing is waiting.
            var connection = _connected.Task.Result;
            try
            {
                await connection.CloseAsync(Constants.ReplySuccess, "adapter stopping", TimeSpan.FromSeconds(5), abort: false, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogDebug("Closing the broker publisher's connection: {Error}", e.Message);
            }
        }
        else
        {
            _connected.TrySetCanceled(CancellationToken.None);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        if (_connected.Task.IsCompletedSuccessfully)
        {
            _connected.Task.Result.Dispose();
        }
        _opening.Dispose();
    }

    /// <summary>Connects, trying again with a growing pause until the broker answers or the service stops.</summary>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var pause = TimeSpan.FromSeconds(1);
        while (true)
        {
            try
            {
                var connection = await ConnectAsync(options, "smpp-adapter publisher", stoppingToken).ConfigureAwait(false);
                connection.ConnectionBlockedAsync += (_, e) =>
                {
                    _blocked = e.Reason;
                    logger.LogWarning("The broker blocks the broker publisher's connection: {Reason}", e.Reason);
                    return Task.CompletedTask;
                };
                connection.ConnectionUnblockedAsync += (_, _) =>
                {
                    _blocked = null;
                    logger.LogInformation("The broker unblocked the broker publisher's connection");
                    return Task.CompletedTask;
                };
                logger.LogInformation("Broker publisher connected to {Host}:{Port}", connection.Endpoint.HostName, connection.Endpoint.Port);
                _connected.TrySetResult(connection);
                return;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Broker publisher could not connect to the broker ({Error}); trying again in {Pause}", e.Message, pause);
                await Task.Delay(pause, time, stoppingToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    /// <summary>
    /// <paramref name="slot"/>'s confirm channel (every event through one: spread over four, the broker spent 20 % more CPU
    /// per command with receipts at 800/s, docs/performance.md); waits (bounded by <paramref name="cancellationToken"/>)
    /// while the connection is not there yet or recovering, and replaces a channel the broker closed while the connection
    /// stayed up.
    /// </summary>
    private async ValueTask<IChannel> ChannelAsync(ChannelSlot slot, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref slot.Channel) is { IsOpen: true } open)
        {
            return open;
        }
        var connection = await _connected.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        while (true)
        {
            if (_stopped)
            {
                // Stopped last of the host's services: whatever still publishes fails at once rather than waiting for a
                // connection that is not coming back.
                throw new InvalidOperationException("The broker publisher has stopped; nothing more is published.");
            }
            if (connection.IsOpen)
            {
                await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    if (Volatile.Read(ref slot.Channel) is { } existing)
                    {
                        if (existing.IsOpen)
                        {
                            return existing;
                        }
                        // A channel the client recovers reopens by itself; one the broker closed (an exchange deleted
                        // under it) stays closed: give recovery a moment, then replace it.
                        await Task.Delay(RetryPause, time, cancellationToken).ConfigureAwait(false);
                        if (existing.IsOpen || !connection.IsOpen)
                        {
                            continue;
                        }
                        await existing.DisposeAsync().ConfigureAwait(false);
                    }
                    var channel = await OpenChannelAsync(connection, slot, cancellationToken).ConfigureAwait(false);
                    Volatile.Write(ref slot.Channel, channel);
                    return channel;
                }
                catch (Exception e) when (IsWorthRetrying(e) && !cancellationToken.IsCancellationRequested)
                {
                    LogPublishRetried("(opening a channel)", e.Message);
                }
                finally
                {
                    _opening.Release();
                }
            }
            await Task.Delay(RetryPause, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IChannel> OpenChannelAsync(IConnection connection, ChannelSlot slot, CancellationToken cancellationToken)
    {
        // No rate limiter of the client's (its default delays publishes past 64 unconfirmed): what is in flight is
        // already bounded by the prefetch of the queues consumed and the SMSC's deliver_sm window.
        var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: !slot.OwnConfirms,
                outstandingPublisherConfirmationsRateLimiter: null), cancellationToken).ConfigureAwait(false);
        if (!slot.OwnConfirms)
        {
            _declared.Clear();
            return channel;
        }
        var confirms = PublishConfirms.Track(channel, inlineContinuations: true);
        try
        {
            foreach (var exchange in ContractNames.EventExchanges)
            {
                // As MassTransit declares them: durable fanout, no arguments (an existing one is left as it is).
                await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            // Not handed to anyone (the next try opens another): closed here rather than left open on the connection.
            await channel.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        slot.Confirms = confirms;
        return channel;
    }

    /// <summary>One of the publisher's confirm channels, and for the events' the confirms tracked on it.</summary>
    private sealed class ChannelSlot(bool OwnConfirms)
    {
        public readonly bool OwnConfirms = OwnConfirms;
        public IChannel? Channel;
        public PublishConfirms? Confirms;
    }

    /// <summary>
    /// A lost connection or channel, or a broker nack: the broker may take the same publish once it is back. Not a
    /// mandatory publish the broker returned (no queue bound to the exchange): that is not going to change by itself.
    /// </summary>
    internal static bool IsWorthRetrying(Exception e) =>
        e is AlreadyClosedException or OperationInterruptedException or RabbitMQ.Client.Exceptions.PublishException { IsReturn: false }
            or PublishConfirms.ChannelShutDownException or System.IO.IOException or BrokerUnreachableException;

    /// <summary>
    /// A connection named <paramref name="name"/> (as the broker's management UI shows it) to the first node of
    /// <c>RabbitMq:*</c> that answers, in order (<see cref="InOrder"/>), recovering by itself after a drop.
    /// </summary>
    internal static Task<IConnection> ConnectAsync(RabbitMqOptions options, string name, CancellationToken cancellationToken)
    {
        var (factory, endpoints) = ConnectionSettings(options);
        return factory.CreateConnectionAsync(new InOrder(endpoints), name, cancellationToken);
    }

    /// <summary>The connection factory and endpoints <c>RabbitMq:*</c> describe, as MassTransit's host reads them.</summary>
    internal static (ConnectionFactory Factory, IReadOnlyList<AmqpTcpEndpoint> Endpoints) ConnectionSettings(RabbitMqOptions options)
    {
        var factory = new ConnectionFactory
        {
            Uri = options.Uri,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
        };
        if (options.Username is { Length: > 0 } username)
        {
            factory.UserName = username;
        }
        if (options.Password is { Length: > 0 } password)
        {
            factory.Password = password;
        }
        var template = factory.Endpoint;
        IReadOnlyList<AmqpTcpEndpoint> endpoints = options.ClusterNodes.Count == 0
            ? [template]
            : options.ClusterNodes.Select(node => Endpoint(node, template)).ToList();
        return (factory, endpoints);
    }

    /// <summary>
    /// The nodes tried in the order <c>RabbitMq:ClusterNodes</c> gives them, on the first connection and on every recovery,
    /// as MassTransit's host tries them (RabbitMQ.Client's own resolver shuffles them). It matters where a queue is first
    /// declared: a quorum queue's leader is placed on the node of the connection that declares it.
    /// </summary>
    private sealed class InOrder(IReadOnlyList<AmqpTcpEndpoint> endpoints) : IEndpointResolver
    {
        public IEnumerable<AmqpTcpEndpoint> All() => endpoints;
    }

    private static AmqpTcpEndpoint Endpoint(string node, AmqpTcpEndpoint template)
    {
        var colon = node.LastIndexOf(':');
        var (host, port) = colon > 0 && int.TryParse(node.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p)
            ? (node[..colon], p)
            : (node, template.Port);
        return new AmqpTcpEndpoint(host, port, template.Ssl);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publish to {Exchange} met a closed channel or a nack ({Error}); trying again")]
    private partial void LogPublishRetried(string exchange, string error);

    internal const string MassTransitActivityHeader = "MT-Activity-Id";

    private static readonly Dictionary<string, string> EmptyHeaders = [];

    /// <summary>An event type's exchange (its <see cref="EntityNameAttribute"/>), its address and its message URN.</summary>
    private sealed record EventType(string Exchange, Uri Address, string[] MessageType)
    {
        public static EventType Of(Type type, Uri broker)
        {
            var exchange = type.GetCustomAttribute<EntityNameAttribute>()?.EntityName
                ?? throw new InvalidOperationException($"{type.Name} is not an event of the contract: it has no [EntityName] naming its exchange.");
            return new EventType(exchange, AddressOf(broker, exchange), [MessageUrn.ForTypeString(type)]);
        }
    }

    /// <summary>MassTransit's JSON envelope, without the fields an event never sets (MassTransit writes them as null).</summary>
    private sealed record Envelope(
        Guid MessageId,
        Guid? ConversationId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Uri? SourceAddress,
        Uri DestinationAddress,
        string[] MessageType,
        object Message,
        DateTime SentTime,
        Dictionary<string, string> Headers,
        EnvelopeHost Host);

    private sealed record EnvelopeHost(string MachineName, string ProcessName, int ProcessId, string Assembly, string? AssemblyVersion,
        string FrameworkVersion, string? MassTransitVersion, string OperatingSystemVersion)
    {
        public static EnvelopeHost Current()
        {
            using var process = Process.GetCurrentProcess();
            var assembly = System.Reflection.Assembly.GetEntryAssembly()?.GetName() ?? typeof(RabbitMqBrokerPublisher).Assembly.GetName();
            return new EnvelopeHost(Environment.MachineName, process.ProcessName, Environment.ProcessId, assembly.Name ?? "Instasent.SmppAdapter",
                assembly.Version?.ToString(), Environment.Version.ToString(), typeof(IBus).Assembly.GetName().Version?.ToString(), Environment.OSVersion.VersionString);
        }
    }
}
