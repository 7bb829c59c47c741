using System.Text;
using System.Text.Json.Nodes;
using RabbitMQ.Client;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

/// <summary>The amqplib peer against the broker alone, before it is pointed at the adapter.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class AmqpPeerTests(RabbitMqBroker broker)
{
    private const string Traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    [Fact]
    public async Task Amqplib_publishes_a_plain_json_SendSms_with_content_type_and_traceparent()
    {
        await using var scope = await broker.CreateScopeAsync();
        var queue = await DeclareQueueAsync(scope);

        await using var peer = await AmqpPeer.StartAsync(new AmqpPeerOptions(broker.Uri)
        {
            Queue = queue, MessageId = "order-42", Traceparent = Traceparent, Expect = 0, Exchanges = [],
            Fields = new JsonObject { ["connection"] = "instasent", ["metadata"] = new JsonObject { ["tenant"] = "acme" } },
        });
        var run = await peer.WaitAsync();

        Assert.True(run.ExitCode == 0, run.Raw.ToString());
        var message = await GetAsync(scope, queue);
        Assert.Equal("application/json", message.BasicProperties.ContentType);
        Assert.Equal(Traceparent, Encoding.UTF8.GetString((byte[])message.BasicProperties.Headers!["traceparent"]!));
        var body = JsonNode.Parse(message.Body.Span)!.AsObject();
        Assert.Equal("order-42", body["messageId"]!.GetValue<string>());
        Assert.Equal("Instasent", body["from"]!.GetValue<string>());
        Assert.Equal("+34676388300", body["to"]!.GetValue<string>());
        Assert.Equal("Hello from amqplib", body["text"]!.GetValue<string>());
        Assert.Equal("instasent", body["connection"]!.GetValue<string>());
        Assert.Equal("acme", body["metadata"]!["tenant"]!.GetValue<string>());
    }

    [Fact]
    public async Task Amqplib_publishes_without_a_content_type_when_told_to()
    {
        await using var scope = await broker.CreateScopeAsync();
        var queue = await DeclareQueueAsync(scope);

        await using var peer = await AmqpPeer.StartAsync(new AmqpPeerOptions(broker.Uri)
        {
            Queue = queue, ContentType = false, Expect = 0, Exchanges = [],
        });
        var run = await peer.WaitAsync();

        Assert.True(run.ExitCode == 0, run.Raw.ToString());
        var message = await GetAsync(scope, queue);
        Assert.Null(message.BasicProperties.ContentType);
    }

    [Fact]
    public async Task Amqplib_reports_a_command_no_queue_takes_instead_of_losing_it()
    {
        await using var scope = await broker.CreateScopeAsync();

        await using var peer = await AmqpPeer.StartAsync(new AmqpPeerOptions(broker.Uri)
        {
            Queue = scope.Name("nobody-listens"), Expect = 0, Exchanges = [],
        });
        var run = await peer.WaitAsync();

        Assert.True(run.Unroutable, run.Raw.ToString());
    }

    [Fact]
    public async Task Amqplib_prints_every_event_published_to_the_fanout_exchanges_it_listens_to()
    {
        await using var scope = await broker.CreateScopeAsync();
        var submitted = scope.ExchangeName("smpp.sms-submitted");
        var rejected = scope.ExchangeName("smpp.sms-rejected");

        await using var peer = await AmqpPeer.StartAsync(new AmqpPeerOptions(broker.Uri)
        {
            Publish = false, Exchanges = [submitted, rejected], Expect = 2, Timeout = TimeSpan.FromSeconds(15),
        });
        await using (var channel = await scope.Connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            var properties = new BasicProperties { ContentType = "application/vnd.masstransit+json" };
            await channel.BasicPublishAsync(submitted, "", false, properties, Encoding.UTF8.GetBytes("""{"message":{"messageId":"a"}}"""));
            await channel.BasicPublishAsync(rejected, "", false, properties, Encoding.UTF8.GetBytes("""{"message":{"messageId":"b"}}"""));
        }
        var run = await peer.WaitAsync();

        Assert.True(run.ExitCode == 0, run.Raw.ToString());
        Assert.Equal(new[] { submitted, rejected }.Order(), run.Received.Select(e => e["exchange"]!.GetValue<string>()).Order());
        Assert.All(run.Received, e => Assert.Equal("application/vnd.masstransit+json", e["contentType"]!.GetValue<string>()));
        Assert.Equal(["a", "b"], run.Received.Select(e => e["body"]!["message"]!["messageId"]!.GetValue<string>()).Order());
    }

    private static async Task<string> DeclareQueueAsync(RabbitMqScope scope)
    {
        var queue = scope.QueueName("smpp-send-sms");
        await using var channel = await scope.Connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        return queue;
    }

    private static async Task<BasicGetResult> GetAsync(RabbitMqScope scope, string queue)
    {
        await scope.WaitForMessageCountAsync(queue, 1, TimeSpan.FromSeconds(10));
        await using var channel = await scope.Connection.CreateChannelAsync();
        return await channel.BasicGetAsync(queue, autoAck: true) ?? throw new InvalidOperationException($"queue {queue} is empty");
    }
}
