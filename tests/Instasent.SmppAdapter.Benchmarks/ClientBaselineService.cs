using System.Globalization;
using System.Text.Json;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Sending;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>
/// <c>bus-load baseline --client rabbitmq</c>: the one-hop floor with receipts (<see cref="BaselineService"/>) on
/// RabbitMQ.Client alone, no MassTransit: <c>smpp-send-sms</c> consumed with the adapter's prefetch and concurrency,
/// each command answered with one <see cref="SmsSubmitted"/> and, when it asks for a delivery report, one
/// <see cref="SmsDeliveryReported"/>, each a persistent publish in a MassTransit-shaped envelope to its fanout exchange,
/// confirmed before the next, and the command acknowledged only after both. Confirms are counted and acknowledgements
/// coalesced by the adapter's own <see cref="PublishConfirms"/> and <see cref="ChannelAcks"/> (linked sources), as its
/// hot path does: the least that path could cost without SMPP, keeping the contract and its guarantees.
/// </summary>
internal static class ClientBaselineService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private static readonly HostInfo Host = HostInfo.Current();

    public static async Task<int> RunAsync(Uri broker, string connectionName, int concurrency, TimeSpan receiptDelay, BaselineSignals signals)
    {
        using var starting = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = await RawEvents.OpenAsync(broker, connectionName, concurrency, starting.Token);
        await using var consume = await events.Connection.CreateChannelAsync(cancellationToken: starting.Token);
        await consume.QueueDeclareAsync(SendSms.QueueName, durable: true, exclusive: false, autoDelete: false, cancellationToken: starting.Token);
        await consume.BasicQosAsync(0, (ushort)Math.Min(concurrency, ushort.MaxValue), global: false, starting.Token);

        // As the adapter's CommandQueue: a delivery acknowledged once answered, in as few frames as the order allows.
        var acks = new ChannelAcks(consume, Math.Max(1, concurrency / 4));
        var consumer = new AsyncEventingBasicConsumer(consume);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            await events.AnswerAsync(JsonSerializer.Deserialize<SendSms>(delivery.Body.Span, Json)!, receiptDelay).ConfigureAwait(false);
            await acks.SettleAsync(delivery.DeliveryTag, requeue: null).ConfigureAwait(false);
        };
        await consume.BasicConsumeAsync(SendSms.QueueName, autoAck: false, consumer, starting.Token);

        Console.WriteLine($"baseline ready: {SendSms.QueueName} (RabbitMQ.Client, prefetch and concurrency {concurrency}, receipt events {receiptDelay.TotalMilliseconds} ms after the outcome) -> {ContractNames.SmsSubmitted}");
        await signals.Stopped;
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await consume.CloseAsync(stopping.Token);
        return 0;
    }

    /// <summary>
    /// The floor's answer to a command on RabbitMQ.Client: <see cref="SmsSubmitted"/>, then (when asked for) one
    /// <see cref="SmsDeliveryReported"/>, each persistent and confirmed before the next. Also what <c>--client hybrid</c>
    /// publishes with (MassTransit consumes, RabbitMQ.Client publishes).
    /// </summary>
    public sealed class RawEvents : IAsyncDisposable
    {
        private readonly IChannel _publish;
        private readonly PublishConfirms _confirms;
        private readonly string _connectionName;
        private readonly Uri _destination;
        private long _sequence;

        private RawEvents(IConnection connection, IChannel publish, string connectionName, Uri broker)
        {
            Connection = connection;
            _publish = publish;
            // Continued where the broker's ack is read, as the adapter's events are.
            _confirms = PublishConfirms.Track(publish, inlineContinuations: true);
            _connectionName = connectionName;
            _destination = new Uri($"{broker.Scheme}://{broker.Host}:{broker.Port}{broker.AbsolutePath}");
        }

        public IConnection Connection { get; }

        public static async Task<RawEvents> OpenAsync(Uri broker, string connectionName, int concurrency, CancellationToken cancellationToken)
        {
            var factory = new ConnectionFactory
            {
                Uri = broker,
                ClientProvidedName = "bus-load baseline (RabbitMQ.Client)",
                ConsumerDispatchConcurrency = (ushort)Math.Min(concurrency, ushort.MaxValue),
            };
            var connection = await factory.CreateConnectionAsync(cancellationToken);
            var publish = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false,
                    outstandingPublisherConfirmationsRateLimiter: null), cancellationToken);
            foreach (var exchange in new[] { ContractNames.SmsSubmitted, ContractNames.SmsDeliveryReported })
            {
                await publish.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, cancellationToken: cancellationToken);
            }
            return new RawEvents(connection, publish, connectionName, broker);
        }

        /// <summary>
        /// The outcome, then the receipt when asked for: right after it (both awaited), or <paramref name="receiptDelay"/>
        /// later on its own (not awaited: the command is answered once its outcome is confirmed).
        /// </summary>
        public async Task AnswerAsync(SendSms command, TimeSpan receiptDelay = default)
        {
            var smscMessageId = Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);
            var now = DateTimeOffset.UtcNow;
            await PublishAsync(ContractNames.SmsSubmitted,
                BaselineService.Submitted(command, smscMessageId, _connectionName, now)).ConfigureAwait(false);
            if (!command.RequestDeliveryReport)
            {
                return;
            }
            var receipt = BaselineService.Receipt(command, smscMessageId, _connectionName, now);
            if (receiptDelay <= TimeSpan.Zero)
            {
                await PublishAsync(ContractNames.SmsDeliveryReported, receipt).ConfigureAwait(false);
                return;
            }
            _ = PublishLaterAsync(receipt, receiptDelay);
        }

        private async Task PublishLaterAsync(SmsDeliveryReported receipt, TimeSpan delay)
        {
            try
            {
                await Task.Delay(delay).ConfigureAwait(false);
                await PublishAsync(ContractNames.SmsDeliveryReported, receipt).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                // The load generator counts the receipt as missing; say why.
                Console.Error.WriteLine($"baseline: a delayed receipt was not published: {e.Message}");
            }
        }

        public async ValueTask DisposeAsync()
        {
            await _publish.DisposeAsync();
            await Connection.DisposeAsync();
        }

        /// <summary>One event as MassTransit would publish it (its JSON envelope, its content type), awaiting the broker's confirm.</summary>
        private Task PublishAsync<T>(string exchange, T message)
        {
            var messageId = Guid.NewGuid();
            var envelope = new Envelope<T>(messageId, Guid.NewGuid(), new Uri(_destination, exchange), [$"urn:message:Instasent.SmppAdapter.Contracts:{typeof(T).Name}"],
                message, DateTime.UtcNow, Host);
            var properties = new BasicProperties
            {
                ContentType = "application/vnd.masstransit+json",
                DeliveryMode = DeliveryModes.Persistent,
                MessageId = messageId.ToString(),
            };
            return _confirms.PublishAsync(_publish, exchange, properties, JsonSerializer.SerializeToUtf8Bytes(envelope, Json), CancellationToken.None);
        }
    }

    private sealed record Envelope<T>(Guid MessageId, Guid ConversationId, Uri DestinationAddress, string[] MessageType, T Message, DateTime SentTime, HostInfo Host);

    private sealed record HostInfo(string MachineName, string ProcessName, int ProcessId, string Assembly, string FrameworkVersion, string OperatingSystemVersion)
    {
        public static HostInfo Current()
        {
            using var process = System.Diagnostics.Process.GetCurrentProcess();
            return new HostInfo(Environment.MachineName, process.ProcessName, Environment.ProcessId, typeof(ClientBaselineService).Assembly.GetName().Name!,
                Environment.Version.ToString(), Environment.OSVersion.VersionString);
        }
    }
}
