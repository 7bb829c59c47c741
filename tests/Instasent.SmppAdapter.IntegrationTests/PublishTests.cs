using System.Net;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using MassTransit;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>
/// A MassTransit service's first line, <c>bus.Publish(new SendSms { ... })</c>, reaches the adapter exactly once, however
/// many connections are configured (each has its own queue, <c>smpp-send-sms.&lt;connection&gt;</c>).
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class PublishTests(RabbitMqBroker broker)
{
    private static readonly Dictionary<string, string?> TwoConnections = new()
    {
        ["Smpp:Connections:1:Name"] = "backup",
        ["Smpp:Connections:1:Host"] = "127.0.0.1",
        ["Smpp:Connections:1:SystemId"] = "myuser",
        ["Smpp:Connections:1:Password"] = "mypass",
        ["Smpp:Connections:1:Sessions"] = "1",
        ["Smpp:Connections:1:ReconnectDelayMin"] = "00:00:00.100",
        ["Smpp:Connections:1:ReconnectDelayMax"] = "00:00:00.500",
    };

    [Fact]
    public async Task A_command_published_by_a_MassTransit_client_is_submitted_once_with_two_connections_configured()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker, TwoConnections);
        var client = await StartClientBusAsync(run);
        try
        {
            await client.Publish(Command("pub-1", "instasent"));
            await client.Publish(Command("pub-2", "backup"));

            await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count(s => s.MessageId.StartsWith("pub-", StringComparison.Ordinal)) >= 2, "both outcomes");
            // Then a command sent behind them to each connection's queue: once its outcome is in, any second copy of
            // the published ones (delivered to that queue at publish time) would have been consumed before it.
            await run.Bus.PublishAsync(Command("after-instasent", "instasent"));
            await run.Bus.PublishAsync(Command("after-backup", "backup"));
            await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count(s => s.MessageId.StartsWith("after-", StringComparison.Ordinal)) == 2, "the later outcomes");
        }
        finally
        {
            await client.StopAsync();
        }

        Assert.Equal(["pub-1", "pub-2"], run.Bus.Of<SmsSubmitted>().Select(s => s.MessageId).Where(id => id.StartsWith("pub-", StringComparison.Ordinal)).Order());
        Assert.Equal(4, run.AcceptedSubmits.Count);
        Assert.Equal(("instasent", "backup"),
            (run.Bus.Of<SmsSubmitted>().Single(s => s.MessageId == "pub-1").Connection, run.Bus.Of<SmsSubmitted>().Single(s => s.MessageId == "pub-2").Connection));
    }

    [Fact]
    public async Task A_published_command_waits_in_its_own_connection_queue_alone_while_the_SMSC_is_away()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker, TwoConnections);
        await run.StopSmscAsync();
        await run.UntilAsync(() => !run.Gate.IsOpen("instasent") && !run.Gate.IsOpen("backup"), "both connection queues closed");
        var client = await StartClientBusAsync(run);
        try
        {
            await client.Publish(Command("parked-1", "instasent"));
            // The router's forward is the only way in: had the exchange been bound to the connection queues, their copies
            // would have been there since the publish, before the router forwarded its own.
            await run.UntilAsync(async () => await run.Bus.MessageCountAsync("smpp-send-sms.instasent") == 1, "the router's forward");
            Assert.Equal(0u, await run.Bus.MessageCountAsync("smpp-send-sms.backup"));
            Assert.Equal(1u, await run.Bus.MessageCountAsync("smpp-send-sms.instasent"));
        }
        finally
        {
            await client.StopAsync();
        }
    }

    [Fact]
    public async Task A_command_delivered_to_a_connection_queue_while_its_consumer_stops_is_ready_there_again()
    {
        // Everything between the adapter and the broker is held while the SMSC goes: the gate stops the connection
        // queue's consumer, but its basic.cancel waits in the proxy, so the command sent meanwhile is delivered to a
        // consumer that is stopping (MassTransit leaves such a delivery unacknowledged until the channel closes).
        await using var proxy = new TcpChaosProxy(new IPEndPoint(IPAddress.Loopback, broker.Uri.Port));
        await using var run = await AdapterOnBroker.StartAsync(broker, adapterBrokerUri: uri => new UriBuilder(uri) { Port = proxy.Port }.Uri);
        proxy.Stall();
        await run.StopSmscAsync();
        await run.UntilAsync(() => !run.Gate.IsOpen("instasent"), "the connection queue closing");
        await run.Bus.PublishAsync(Command("stopping-1", "instasent"), queue: "smpp-send-sms.instasent");
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        proxy.Resume();

        await run.UntilAsync(async () => await run.Bus.MessageCountAsync("smpp-send-sms.instasent") == 1, "the command ready in its queue again");
        Assert.Empty(run.AcceptedSubmits);
        Assert.Empty(run.Bus.Of<SmsRejected>());
    }

    private static async Task<IBusControl> StartClientBusAsync(AdapterOnBroker run)
    {
        var client = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(run.VirtualHost.Uri));
        using var starting = new CancellationTokenSource(AdapterOnBroker.Wait);
        await client.StartAsync(starting.Token);
        return client;
    }

    private static SendSms Command(string messageId, string connection) => new()
    {
        MessageId = messageId,
        From = "Instasent",
        To = "+34612345678",
        Text = $"published {messageId}",
        Connection = connection,
    };
}

/// <summary>A command whose JSON does not fit the contract gets an outcome, never a fault in the error queue.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class InvalidJsonTests(RabbitMqBroker broker)
{
    [Fact]
    public async Task A_number_for_to_is_rejected_with_invalid_input_naming_the_field_and_nothing_lands_in_the_error_queue()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);

        await run.Bus.PublishRawAsync("""{"messageId":"json-1","from":"Instasent","to":34600000000,"text":"hi","metadata":{"order":"7"}}""");

        await run.UntilAsync(() => run.Bus.Of<SmsRejected>().Any(r => r.MessageId == "json-1"), "the rejection");
        var rejected = run.Bus.Of<SmsRejected>().Single(r => r.MessageId == "json-1");
        Assert.Equal((RejectionCodes.InvalidInput, true, "7"), (rejected.Code, rejected.Permanent, rejected.Metadata?["order"]));
        Assert.Contains("$.to", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(0u, await run.Bus.MessageCountAsync("smpp-send-sms_error"));
        Assert.Empty(run.AcceptedSubmits);
    }
}
