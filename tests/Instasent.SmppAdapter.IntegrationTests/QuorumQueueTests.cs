using System.Text.Json.Nodes;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.Testing;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>
/// <c>RabbitMq:QueueType=quorum</c> on the shared broker (a single node runs quorum queues too; the cluster tests are in
/// <see cref="ClusterFaultTests"/>): what the adapter declares, read back from the broker with rabbitmqctl.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class QuorumQueueTests(RabbitMqBroker broker)
{
    private static readonly string[] OwnQueues = [SendSms.QueueName, "smpp-send-sms.instasent", "smpp-send-sms.unbound", "smpp-inbound-parts"];

    [Fact]
    public async Task With_QueueType_quorum_every_queue_the_adapter_owns_is_a_quorum_queue_dead_lettering_into_its_error_queue()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker, QuorumConfig(), waitForBind: false);
        await run.UntilAsync(() => run.Pool["instasent"].HasBoundTransmitter && run.Gate.IsOpen("instasent"), "instasent bound and consumed");

        await run.Bus.PublishAsync(Command("quorum-sent", connection: null));
        // A connection that never bound: its queue exists (declared by the router's endpoint) and holds the command.
        await run.Bus.PublishAsync(Command("quorum-waiting", connection: "unbound"));
        // A long inbound SMS goes through smpp-inbound-parts.
        await run.Smsc.InjectMoAsync("myuser", "+34600000009", "12345", new string('a', 200));

        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Any(s => s.MessageId == "quorum-sent"), "the command on the bound connection submitted");
        await run.UntilAsync(() => run.Bus.Of<InboundSmsReceived>().Any(m => m.Text.Length == 200), "the long inbound SMS reassembled");
        await run.UntilAsync(async () => (await ListQueuesAsync(run.VirtualHost.Name)).TryGetValue("smpp-send-sms.unbound", out var waiting) && waiting.Messages == 1,
            "the unbound connection's command waiting in its queue");
        var queues = await ListQueuesAsync(run.VirtualHost.Name);

        foreach (var name in OwnQueues)
        {
            var queue = queues[name];
            Assert.Equal(("quorum", 7L, $"{name}_error", "at-least-once"),
                (queue.Type, queue.Argument("x-delivery-limit")?.GetValue<long>(), queue.Argument("x-dead-letter-exchange")?.GetValue<string>(),
                    queue.Argument("x-dead-letter-strategy")?.GetValue<string>()));
            var error = queues[$"{name}_error"];
            Assert.Equal("quorum", error.Type);
            Assert.Null(error.Argument("x-delivery-limit"));
            Assert.Null(error.Argument("x-dead-letter-exchange"));
        }
        // Every queue the adapter owns (the test client's own exclusive queue is classic, and not the adapter's).
        Assert.DoesNotContain(queues.Values, q => q.Name.StartsWith("smpp-", StringComparison.Ordinal) && q.Type != "quorum");
    }

    [Fact]
    public async Task A_command_delivered_past_the_delivery_limit_is_dead_lettered_into_its_error_queue()
    {
        var config = QuorumConfig();
        config["RabbitMq:DeliveryLimit"] = "1";
        await using var run = await AdapterOnBroker.StartAsync(broker, config, waitForBind: false);
        await run.UntilAsync(() => run.Gate.IsOpen("instasent"), "the router and instasent consumed");
        // The unbound connection's queue is never consumed by the adapter: a consumer of our own returns its command.
        await run.Bus.PublishAsync(Command("poison", connection: "unbound"));
        await using (var connection = await RabbitMqBroker.ConnectAsync(run.VirtualHost.Uri))
        await using (var channel = await connection.CreateChannelAsync())
        {
            // Delivered and returned twice: past a limit of 1 RabbitMQ dead-letters it rather than delivering it a third time.
            for (var delivery = 1; delivery <= 2; delivery++)
            {
                RabbitMQ.Client.BasicGetResult? message = null;
                await run.UntilAsync(async () => (message = await channel.BasicGetAsync("smpp-send-sms.unbound", autoAck: false)) is not null,
                    $"delivery {delivery} of the command");
                await channel.BasicRejectAsync(message!.DeliveryTag, requeue: true);
            }
        }

        await run.UntilAsync(async () => (await ListQueuesAsync(run.VirtualHost.Name)).TryGetValue("smpp-send-sms.unbound_error", out var error) && error.Messages == 1,
            "the command in smpp-send-sms.unbound_error");
        Assert.Equal(0, (await ListQueuesAsync(run.VirtualHost.Name))["smpp-send-sms.unbound"].Messages);
    }

    private static Dictionary<string, string?> QuorumConfig() => new()
    {
        ["RabbitMq:QueueType"] = "quorum",
        ["RabbitMq:DeliveryLimit"] = "7",
        ["Smpp:Connections:1:Name"] = "unbound",
        ["Smpp:Connections:1:Host"] = "127.0.0.1",
        // Nothing listens on port 9 (discard) on loopback: connection refused, never bound.
        ["Smpp:Connections:1:Port"] = "9",
        ["Smpp:Connections:1:SystemId"] = "myuser",
        ["Smpp:Connections:1:Password"] = "mypass",
        ["Smpp:Connections:1:ReconnectDelayMin"] = "00:00:01",
        ["Smpp:Connections:1:ReconnectDelayMax"] = "00:00:05",
    };

    private static SendSms Command(string messageId, string? connection) =>
        new() { MessageId = messageId, From = "Instasent", To = "+34612345678", Text = messageId, Connection = connection };

    /// <summary>The queues of <paramref name="virtualHost"/> on the local broker, read with rabbitmqctl.</summary>
    internal static Task<Dictionary<string, ListedQueue>> ListQueuesAsync(string virtualHost) =>
        ListedQueue.ParseAsync(arguments => ExternalCommand.RunCheckedAsync(
            Environment.GetEnvironmentVariable("RABBITMQCTL") is { Length: > 0 } ctl ? ctl : "/usr/sbin/rabbitmqctl", arguments, TimeSpan.FromSeconds(60)), virtualHost);
}

/// <summary>One queue as <c>rabbitmqctl list_queues name type messages arguments --formatter json</c> prints it.</summary>
internal sealed record ListedQueue(string Name, string Type, long Messages, JsonArray Arguments)
{
    /// <summary>The value of queue argument <paramref name="key"/> (each argument is printed as [key, type, value]).</summary>
    public JsonNode? Argument(string key) =>
        Arguments.Select(a => a!.AsArray()).FirstOrDefault(a => a[0]!.GetValue<string>() == key)?[2];

    public static async Task<Dictionary<string, ListedQueue>> ParseAsync(Func<string[], Task<string>> rabbitmqctl, string virtualHost)
    {
        var json = await rabbitmqctl(["list_queues", "-p", virtualHost, "-q", "name", "type", "messages", "arguments", "--formatter", "json"]);
        return JsonNode.Parse(json)!.AsArray().Select(q => new ListedQueue(
                q!["name"]!.GetValue<string>(), q["type"]!.GetValue<string>(), q["messages"]?.GetValue<long>() ?? 0, q["arguments"]!.AsArray()))
            .ToDictionary(q => q.Name);
    }
}
