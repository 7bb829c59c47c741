using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Instasent.SmppAdapter.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

/// <summary>One event as it arrived on the broker: the exchange it came through and the body of MassTransit's envelope.</summary>
public sealed record ReceivedEvent(string Exchange, JsonObject Envelope, IReadOnlyDictionary<string, object?> Headers)
{
    public JsonObject Message => Envelope["message"]?.AsObject() ?? throw new InvalidOperationException($"no message in {Envelope.ToJsonString()}");
}

/// <summary>
/// An upstream service on the bus, written with RabbitMQ.Client only (no MassTransit): publishes <see cref="SendSms"/>
/// as plain JSON or in a hand-written MassTransit envelope, with publisher confirms, and records every event published
/// to the contract's fanout exchanges through a queue of its own bound before the adapter starts.
/// </summary>
public sealed class BusClient : IAsyncDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly IConnection _connection;
    private readonly IChannel _publisher;
    private readonly IChannel _listener;
    private readonly ConcurrentQueue<ReceivedEvent> _events = new();

    private BusClient(IConnection connection, IChannel publisher, IChannel listener)
    {
        _connection = connection;
        _publisher = publisher;
        _listener = listener;
    }

    public static async Task<BusClient> StartAsync(Uri uri)
    {
        var connection = await RabbitMqBroker.ConnectAsync(uri);
        try
        {
            var publisher = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true,
                    outstandingPublisherConfirmationsRateLimiter: null));
            var listener = await connection.CreateChannelAsync();
            var client = new BusClient(connection, publisher, listener);
            var queue = (await listener.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
            foreach (var exchange in ContractNames.EventExchanges)
            {
                // As MassTransit declares them (durable fanout), so whichever side comes first the other agrees.
                await listener.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
                await listener.QueueBindAsync(queue, exchange, "");
            }
            var consumer = new AsyncEventingBasicConsumer(listener);
            consumer.ReceivedAsync += (_, delivery) =>
            {
                client.Record(delivery);
                return Task.CompletedTask;
            };
            await listener.BasicConsumeAsync(queue, autoAck: true, consumer);
            return client;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every event so far, in arrival order.</summary>
    public IReadOnlyList<ReceivedEvent> Events => _events.ToArray();

    /// <summary>The events of type <typeparamref name="T"/> so far (read from the exchange named for it).</summary>
    public IReadOnlyList<T> Of<T>() where T : class
    {
        var exchange = ExchangeOf<T>();
        return _events.Where(e => e.Exchange == exchange).Select(e => e.Message.Deserialize<T>(Json)!).ToList();
    }

    public static string ExchangeOf<T>() =>
        ((MassTransit.EntityNameAttribute)Attribute.GetCustomAttribute(typeof(T), typeof(MassTransit.EntityNameAttribute))!).EntityName;

    /// <summary>
    /// Publishes one command to <c>smpp-send-sms</c> and waits for the broker's confirm. <paramref name="envelope"/>
    /// wraps it as MassTransit would; otherwise it is plain JSON with <paramref name="contentType"/> (null: none at all).
    /// <paramref name="queue"/> sends it to another queue instead (e.g. a connection's, past the router).
    /// </summary>
    public async Task PublishAsync(SendSms command, bool envelope = false, string? contentType = "application/json", string? traceparent = null, string queue = SendSms.QueueName)
    {
        var body = JsonSerializer.SerializeToNode(command, Json)!.AsObject();
        var properties = new BasicProperties { Persistent = true, MessageId = Guid.NewGuid().ToString() };
        if (envelope)
        {
            body = new JsonObject
            {
                ["messageId"] = properties.MessageId,
                ["messageType"] = new JsonArray("urn:message:Instasent.SmppAdapter.Contracts:SendSms"),
                ["sentTime"] = DateTimeOffset.UtcNow.ToString("O"),
                ["message"] = body,
            };
            properties.ContentType = "application/vnd.masstransit+json";
        }
        else
        {
            properties.ContentType = contentType;
        }
        if (traceparent is not null)
        {
            properties.Headers = new Dictionary<string, object?> { ["traceparent"] = traceparent };
        }

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _publisher.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes(body.ToJsonString()), cts.Token);
    }

    /// <summary>Publishes <paramref name="json"/> as it is (plain JSON) to <c>smpp-send-sms</c> and waits for the broker's confirm.</summary>
    public async Task PublishRawAsync(string json)
    {
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _publisher.BasicPublishAsync("", SendSms.QueueName, mandatory: true, properties, Encoding.UTF8.GetBytes(json), cts.Token);
    }

    /// <summary>Publishes <paramref name="commands"/> with up to 64 confirms outstanding; alternate ones in the envelope when asked.</summary>
    public async Task PublishManyAsync(IReadOnlyList<SendSms> commands, bool alternateEnvelope = false)
    {
        using var gate = new SemaphoreSlim(64);
        await Task.WhenAll(commands.Select(async (command, i) =>
        {
            await gate.WaitAsync();
            try
            {
                await PublishAsync(command, envelope: alternateEnvelope && i % 2 == 1);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    /// <summary>Ready messages in <paramref name="queue"/>; 0 when it does not exist (yet).</summary>
    public async Task<uint> MessageCountAsync(string queue)
    {
        // A passive declare of a missing queue closes its channel (404): one channel per count.
        await using var channel = await _connection.CreateChannelAsync();
        try
        {
            return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
        }
        catch (RabbitMQ.Client.Exceptions.OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return 0;
        }
    }

    private void Record(BasicDeliverEventArgs delivery)
    {
        var envelope = JsonNode.Parse(delivery.Body.Span)!.AsObject();
        var headers = delivery.BasicProperties.Headers?.ToDictionary(h => h.Key, h => h.Value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : h.Value)
                      ?? new Dictionary<string, object?>();
        _events.Enqueue(new ReceivedEvent(delivery.Exchange, envelope, headers));
    }

    public async ValueTask DisposeAsync()
    {
        await _publisher.DisposeAsync();
        await _listener.DisposeAsync();
        await _connection.DisposeAsync();
    }
}
