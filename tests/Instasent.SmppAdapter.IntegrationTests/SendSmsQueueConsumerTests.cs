using System.Text;
using System.Text.Json.Nodes;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Sending;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using RabbitMQ.Client;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>
/// The consumer of the command queues on RabbitMQ.Client (<c>RabbitMq:Consumer</c>, the default; <c>smpp-send-sms</c>
/// and the connections' queues) against what MassTransit's endpoints did there: the same topology (replicas of either kind share the queue), what it does with a body
/// that is no command, and with a command that keeps failing. Plain JSON, the envelope, traces, hand-back counts,
/// connection cuts and the shutdown drain are covered by the suite's other classes, which run on it.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class SendSmsQueueConsumerTests(RabbitMqBroker broker)
{
    [Theory]
    [InlineData("classic")]
    [InlineData("quorum")]
    public async Task A_replica_consuming_with_MassTransit_and_one_with_RabbitMQ_Client_declare_alike_and_share_the_commands_once_each(string queueType)
    {
        await using var run = await AdapterOnBroker.StartAsync(broker, new Dictionary<string, string?> { ["RabbitMq:QueueType"] = queueType });
        var other = await run.StartReplicaAsync(new Dictionary<string, string?> { ["RabbitMq:Consumer"] = "MassTransit" });
        // RabbitMQ refuses a declaration whose arguments differ from the queue's: each would then be unready.
        foreach (var (host, consumer) in new[] { (run.Host, "send-sms-consumer"), (other, "masstransit-bus") })
        {
            await run.UntilAsync(async () => (await Ready(host)).Status == HealthStatus.Healthy, $"the {consumer} replica ready");
        }
        Assert.True((await Ready(run.Host)).Entries.ContainsKey("send-sms-consumer"));
        Assert.False((await Ready(other)).Entries.ContainsKey("send-sms-consumer"));

        var commands = Enumerable.Range(1, 40).Select(i => new SendSms { MessageId = $"{queueType}-{i}", From = "Instasent", To = "+34600000001", Text = "hola" }).ToList();
        await run.Bus.PublishManyAsync(commands, alternateEnvelope: true);

        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count == commands.Count, "every command submitted");
        Assert.Equal(commands.Select(c => c.MessageId).Order(), run.Bus.Of<SmsSubmitted>().Select(s => s.MessageId).Order());
        Assert.Equal(commands.Count, run.AcceptedSubmits.Count);
        Assert.Equal(0u, await run.Bus.MessageCountAsync("smpp-send-sms_error"));
    }

    [Fact]
    public async Task A_body_that_is_no_command_goes_to_the_error_queue_with_MassTransit_fault_headers_and_the_next_command_is_submitted()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);

        await run.Bus.PublishRawAsync("{ this is not json");
        await run.Bus.PublishAsync(new SendSms { MessageId = "after-garbage", From = "Instasent", To = "+34600000001", Text = "hola" });

        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Any(s => s.MessageId == "after-garbage"), "the command after the garbage submitted");
        var moved = await OneMessageAsync(run, "smpp-send-sms_error");
        Assert.Equal("{ this is not json", Encoding.UTF8.GetString(moved.Body.Span));
        Assert.Equal("application/json", moved.BasicProperties.ContentType);
        Assert.Equal("fault", Header(moved, "MT-Reason"));
        Assert.Contains("not a SendSms in JSON", Header(moved, "MT-Fault-Message"), StringComparison.Ordinal);
        Assert.NotNull(Header(moved, "MT-Fault-ExceptionType"));
        Assert.EndsWith("/smpp-send-sms", Header(moved, "MT-Fault-InputAddress"), StringComparison.Ordinal);
        Assert.Equal(0u, await run.Bus.MessageCountAsync(SendSms.QueueName));
        Assert.Empty(run.Bus.Of<SmsRejected>());
    }

    [Fact]
    public async Task An_envelope_of_another_message_type_goes_to_the_skipped_queue_as_MassTransit_skips_it()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);
        var envelope = new JsonObject
        {
            ["messageId"] = Guid.NewGuid().ToString(),
            ["messageType"] = new JsonArray("urn:message:Somebody.Else:OrderPlaced"),
            ["message"] = new JsonObject { ["orderId"] = 42 },
        };

        await PublishAsync(run, SendSms.QueueName, envelope.ToJsonString(), "application/vnd.masstransit+json");

        var moved = await OneMessageAsync(run, "smpp-send-sms_skipped");
        Assert.Equal("skip", Header(moved, "MT-Reason"));
        Assert.Contains("OrderPlaced", Encoding.UTF8.GetString(moved.Body.Span), StringComparison.Ordinal);
        Assert.Equal(0u, await run.Bus.MessageCountAsync(SendSms.QueueName));
    }

    [Fact]
    public async Task A_command_that_keeps_failing_is_retried_in_place_then_moved_to_the_error_queue_unchanged_with_its_retry_count()
    {
        // Two connections: every command goes through the router's forward. The second connection's queue is deleted
        // after the start, so its forward comes back from the broker (mandatory) every time.
        await using var run = await AdapterOnBroker.StartAsync(broker, new Dictionary<string, string?>
        {
            ["Smpp:Connections:1:Name"] = "unbound",
            ["Smpp:Connections:1:Host"] = "127.0.0.1",
            ["Smpp:Connections:1:Port"] = "9",
            ["Smpp:Connections:1:SystemId"] = "myuser",
            ["Smpp:Connections:1:Password"] = "mypass",
        }, waitForBind: false);
        await run.UntilAsync(() => run.Gate.IsOpen("instasent"), "instasent bound and consumed");
        // Deleted only once the consumer has declared its topology: before that, its declaration would fail on the missing
        // queue and, tried again, declare it anew.
        await run.UntilAsync(() => run.Host.Services.GetRequiredService<SendSmsQueueConsumer>().IsConsuming, "smpp-send-sms consumed");
        await using (var connection = await RabbitMqBroker.ConnectAsync(run.VirtualHost.Uri))
        await using (var channel = await connection.CreateChannelAsync())
        {
            await channel.QueueDeleteAsync("smpp-send-sms.unbound");
        }

        await run.Bus.PublishAsync(new SendSms { MessageId = "nowhere-1", From = "Instasent", To = "+34600000001", Text = "hola", Connection = "unbound" });
        await run.Bus.PublishAsync(new SendSms { MessageId = "somewhere-1", From = "Instasent", To = "+34600000001", Text = "hola" });

        var moved = await OneMessageAsync(run, "smpp-send-sms_error");
        Assert.Equal("nowhere-1", JsonNode.Parse(moved.Body.Span)!["messageId"]!.GetValue<string>());
        Assert.Equal("fault", Header(moved, "MT-Reason"));
        Assert.Equal("3", Header(moved, "MT-Fault-RetryCount"));
        // The broker returned the mandatory forward: no queue is bound to the connection's exchange.
        Assert.Equal("RabbitMQ.Client.Exceptions.PublishReturnException", Header(moved, "MT-Fault-ExceptionType"));
        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Any(s => s.MessageId == "somewhere-1"), "the other command submitted meanwhile");
        Assert.DoesNotContain(run.Bus.Of<SmsSubmitted>(), s => s.MessageId == "nowhere-1");
        Assert.Equal(0u, await run.Bus.MessageCountAsync(SendSms.QueueName));
    }

    [Fact]
    public async Task A_connections_queues_are_consumed_on_RabbitMQ_Client_too_with_the_same_handling_of_what_is_no_command()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);
        var consumer = run.Host.Services.GetRequiredService<SendSmsQueueConsumer>();
        Assert.Same(consumer, run.Host.Services.GetRequiredService<IConnectionLanes>());
        await run.UntilAsync(() => run.Gate.IsOpen("instasent"), "instasent bound and consumed");

        await PublishAsync(run, "smpp-send-sms.instasent", "{ this is not json", "application/json");
        await run.Bus.PublishAsync(new SendSms { MessageId = "on-the-high-lane", From = "Instasent", To = "+34600000001", Text = "hola" }, queue: "smpp-send-sms.instasent.high");

        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Any(s => s.MessageId == "on-the-high-lane"), "the command on the high lane submitted");
        var moved = await OneMessageAsync(run, "smpp-send-sms.instasent_error");
        Assert.Equal("{ this is not json", Encoding.UTF8.GetString(moved.Body.Span));
        Assert.Equal("fault", Header(moved, "MT-Reason"));
        Assert.EndsWith("/smpp-send-sms.instasent", Header(moved, "MT-Fault-InputAddress"), StringComparison.Ordinal);
        Assert.Empty(consumer.NotConsuming());
        Assert.Equal(0u, await run.Bus.MessageCountAsync("smpp-send-sms.instasent"));
        Assert.Equal(0u, await run.Bus.MessageCountAsync("smpp-send-sms.instasent.high"));
    }

    [Fact]
    public async Task Every_delivery_handled_is_acknowledged_so_a_stop_leaves_nothing_to_deliver_again()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);
        // A burst on smpp-send-sms and on a connection's queue: completions overtake each other, so acknowledgements go
        // out for runs of deliveries and alone; a body that is no command among them is moved, then acknowledged.
        var commands = Enumerable.Range(1, 300).Select(i => new SendSms { MessageId = $"burst-{i}", From = "Instasent", To = "+34600000001", Text = "hola" }).ToList();
        var lane = Enumerable.Range(1, 60).Select(i => new SendSms { MessageId = $"lane-{i}", From = "Instasent", To = "+34600000001", Text = "hola" }).ToList();
        await run.Bus.PublishManyAsync(commands);
        await run.Bus.PublishRawAsync("{ this is not json");
        foreach (var command in lane)
        {
            await run.Bus.PublishAsync(command, queue: "smpp-send-sms.instasent");
        }

        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count == commands.Count + lane.Count, "every command submitted");
        await run.UntilAsync(async () => await run.Bus.MessageCountAsync("smpp-send-sms_error") == 1, "the body that is no command moved");
        using (var stopping = new CancellationTokenSource(AdapterOnBroker.Wait))
        {
            await run.Host.StopAsync(stopping.Token).WaitAsync(AdapterOnBroker.Wait);
        }

        // The consumer's connection is closed: the broker has put back whatever it had not seen acknowledged.
        foreach (var queue in new[] { SendSms.QueueName, "smpp-send-sms.instasent", "smpp-send-sms.instasent.high" })
        {
            Assert.Equal(0u, await run.Bus.MessageCountAsync(queue));
        }
        Assert.Equal(commands.Count + lane.Count, run.AcceptedSubmits.Count);
        Assert.Equal(commands.Count + lane.Count, run.Bus.Of<SmsSubmitted>().Count);
    }

    private static async Task<HealthReport> Ready(AdapterHost host) =>
        await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(check => check.Tags.Contains("ready"));

    private static async Task PublishAsync(AdapterOnBroker run, string queue, string body, string contentType)
    {
        await using var connection = await RabbitMqBroker.ConnectAsync(run.VirtualHost.Uri);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var properties = new BasicProperties { Persistent = true, ContentType = contentType, MessageId = Guid.NewGuid().ToString() };
        await channel.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes(body));
    }

    /// <summary>The one message <paramref name="queue"/> ends up with, taken off it.</summary>
    private static async Task<BasicGetResult> OneMessageAsync(AdapterOnBroker run, string queue)
    {
        await run.UntilAsync(async () => await run.Bus.MessageCountAsync(queue) == 1, $"one message in {queue}");
        await using var connection = await RabbitMqBroker.ConnectAsync(run.VirtualHost.Uri);
        await using var channel = await connection.CreateChannelAsync();
        var message = await channel.BasicGetAsync(queue, autoAck: true);
        Assert.NotNull(message);
        return message;
    }

    private static string? Header(BasicGetResult message, string name) =>
        message.BasicProperties.Headers?.TryGetValue(name, out var value) == true
            ? value switch { byte[] bytes => Encoding.UTF8.GetString(bytes), null => null, _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) }
            : null;
}
