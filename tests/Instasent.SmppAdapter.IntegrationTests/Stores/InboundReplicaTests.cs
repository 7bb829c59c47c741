using System.Text;
using System.Text.Json;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Simulator;
using RabbitMQ.Client;

namespace Instasent.SmppAdapter.IntegrationTests.Stores;

/// <summary>
/// Long inbound SMS with the adapter's state in Redis: the simulator hands each deliver_sm to the account's receiver
/// sessions in turn, so the parts of one message reach different replicas, and any replica consumes any part from
/// <c>smpp-inbound-parts</c>. Counts are taken after every replica stopped and a marker event published after that came
/// back: every event published before it has been received by then.
/// </summary>
[Collection(RabbitMqAndRedisCollection.Name)]
public sealed class InboundReplicaTests(RabbitMqBroker broker, RedisServer redis)
{
    private const int Messages = 60;

    private Task<AdapterOnBroker> StartOnRedisAsync(RedisScope scope) => AdapterOnBroker.StartAsync(broker, new Dictionary<string, string?>
    {
        ["Stores:Provider"] = "Redis",
        ["Stores:Redis:Configuration"] = redis.Configuration,
        ["Stores:Redis:KeyPrefix"] = scope.KeyPrefix,
    }, simulator: new SimulatorOptions { ReceiptDelay = TimeSpan.FromMilliseconds(50), DeliverRetryDelay = TimeSpan.FromMilliseconds(200) });

    /// <summary>Three parts each (GSM 7-bit, 8-bit UDH reference), told apart by their first words.</summary>
    private static string Text(int i) => $"Inbound {i:D3}: " + string.Concat(Enumerable.Repeat("a long reply from a handset, ", 14));

    private static Task<InjectedMo> InjectAsync(AdapterOnBroker run, int i) => run.Smsc.InjectMoAsync("myuser", $"+346{i:D8}", "12345", Text(i));

    [Fact]
    public async Task Long_inbound_SMS_whose_parts_reach_two_replicas_are_each_published_once()
    {
        await using var scope = redis.CreateScope();
        await using var run = await StartOnRedisAsync(scope);
        var replica = await run.StartReplicaAsync();

        var injected = new List<InjectedMo>();
        for (var i = 0; i < Messages; i++)
        {
            injected.Add(await InjectAsync(run, i));
        }

        Assert.All(injected, mo => Assert.Equal(3, mo.Segments.Count));
        await Task.WhenAll(injected.Select(mo => mo.Delivered)).WaitAsync(AdapterOnBroker.Wait);
        await run.UntilAsync(() => run.Bus.Of<InboundSmsReceived>().Count >= Messages, $"{Messages} inbound SMS");
        await StopAllAsync(run.Host, replica);
        await FlushAsync(run);

        AssertEachPublishedOnce(run, Enumerable.Range(0, Messages));
        var keys = await scope.KeysAsync();
        Assert.All(keys, key => Assert.NotNull(key.TimeToLive));
        Assert.DoesNotContain(keys, key => key.Key.Contains(":parts:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Long_inbound_SMS_arriving_across_replica_restarts_are_each_published_once_and_none_is_lost()
    {
        await using var scope = redis.CreateScope();
        await using var run = await StartOnRedisAsync(scope);
        var first = await run.StartReplicaAsync();

        var injected = new List<InjectedMo>();
        for (var i = 0; i < Messages / 2; i++)
        {
            injected.Add(await InjectAsync(run, i));
        }
        // Mid-stream: parts of the first half are on the wire, in the queue, or stored by the replica that stops.
        using (var stopping = new CancellationTokenSource(AdapterOnBroker.Wait))
        {
            await first.StopAsync(stopping.Token);
        }
        var second = await run.StartReplicaAsync();
        for (var i = Messages / 2; i < Messages; i++)
        {
            injected.Add(await InjectAsync(run, i));
        }
        using (var stopping = new CancellationTokenSource(AdapterOnBroker.Wait))
        {
            await run.Host.StopAsync(stopping.Token);
        }
        var third = await run.StartReplicaAsync();

        await Task.WhenAll(injected.Select(mo => mo.Delivered)).WaitAsync(AdapterOnBroker.Wait);
        await run.UntilAsync(() => run.Bus.Of<InboundSmsReceived>().Select(m => m.Id).Distinct().Count() >= Messages, $"{Messages} distinct inbound SMS");
        await StopAllAsync(second, third);
        await FlushAsync(run);

        AssertEachPublishedOnce(run, Enumerable.Range(0, Messages));
        Assert.Equal(0u, await run.Bus.MessageCountAsync("smpp-inbound-parts"));
    }

    private static void AssertEachPublishedOnce(AdapterOnBroker run, IEnumerable<int> expected)
    {
        var published = run.Bus.Of<InboundSmsReceived>().Where(m => m.Id != MarkerId).ToList();
        Assert.All(published.GroupBy(m => m.Id), copies => Assert.Single(copies));
        Assert.Equal(expected.Select(Text).Order(), published.Select(m => m.Text).Order());
        Assert.All(published, m => Assert.Equal(3, m.Segments));
    }

    private static async Task StopAllAsync(params AdapterHost[] hosts)
    {
        foreach (var host in hosts)
        {
            using var stopping = new CancellationTokenSource(AdapterOnBroker.Wait);
            await host.StopAsync(stopping.Token);
        }
    }

    private const string MarkerId = "marker";

    /// <summary>
    /// Publishes a marker on the inbound exchange after the adapters stopped and waits for it: the test's queue delivers
    /// in order, and every adapter publish was confirmed before its host stopped, so all of them have arrived.
    /// </summary>
    private static async Task FlushAsync(AdapterOnBroker run)
    {
        await using var connection = await RabbitMqBroker.ConnectAsync(run.VirtualHost.Uri);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var marker = new InboundSmsReceived
        {
            Id = MarkerId, From = "marker", To = "marker", Text = "marker", ReceivedAt = DateTimeOffset.UtcNow, Segments = 1, Connection = "marker",
        };
        var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { message = marker }, BusClient.Json));
        await channel.BasicPublishAsync(BusClient.ExchangeOf<InboundSmsReceived>(), "", body);
        await run.UntilAsync(() => run.Bus.Of<InboundSmsReceived>().Any(m => m.Id == MarkerId), "the marker published after the adapters stopped");
    }
}
