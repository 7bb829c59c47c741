using RabbitMQ.Client;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

[Collection(RabbitMqClusterCollection.Name)]
[Trait("Category", RabbitMqCluster.TestCategory)]
public sealed class RabbitMqClusterTests(RabbitMqCluster cluster)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_quorum_queue_keeps_every_confirmed_message_when_its_leader_node_stops()
    {
        const int count = 100;
        var queue = $"cluster-self-test.{Guid.NewGuid():N}";
        var arguments = new Dictionary<string, object?> { ["x-queue-type"] = "quorum" };
        await using (var publisher = await RabbitMqBroker.ConnectAsync(RabbitMqCluster.AmqpUri(1)))
        await using (var channel = await publisher.CreateChannelAsync(
                         new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, arguments);
            var persistent = new BasicProperties { Persistent = true };
            // With confirmation tracking each publish returns once a majority of the queue's members has the message.
            for (var i = 0; i < count; i++)
            {
                await channel.BasicPublishAsync("", queue, mandatory: true, persistent, BitConverter.GetBytes(i));
            }
        }

        var leader = await cluster.LeaderOfAsync(queue);
        await cluster.StopNodeAsync(leader);
        try
        {
            var survivor = leader % RabbitMqCluster.NodeCount + 1;
            await using var consumer = await RabbitMqBroker.ConnectAsync(RabbitMqCluster.AmqpUri(survivor));
            await using var channel = await consumer.CreateChannelAsync();

            var received = await DrainAsync(channel, queue, count);

            Assert.Equal(Enumerable.Range(0, count), received.Order());
            await channel.QueueDeleteAsync(queue);
        }
        finally
        {
            await cluster.StartNodeAsync(leader);
        }
    }

    /// <summary>Gets <paramref name="count"/> messages (ints) from <paramref name="queue"/>, waiting for a new leader if need be.</summary>
    private static async Task<List<int>> DrainAsync(IChannel channel, string queue, int count)
    {
        var received = new List<int>();
        using var cts = new CancellationTokenSource(Wait);
        while (received.Count < count)
        {
            var message = await channel.BasicGetAsync(queue, autoAck: true, cts.Token);
            if (message is not null)
            {
                received.Add(BitConverter.ToInt32(message.Body.Span));
                continue;
            }
            // Empty until the remaining members have elected a leader; bounded by the token.
            await Task.Delay(TimeSpan.FromMilliseconds(100), cts.Token);
        }
        return received;
    }
}
