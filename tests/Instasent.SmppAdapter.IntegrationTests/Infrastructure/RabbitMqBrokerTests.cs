using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

[Collection(RabbitMqCollection.Name)]
public sealed class RabbitMqBrokerTests(RabbitMqBroker broker)
{
    [Fact]
    public async Task A_queue_can_be_declared_filled_counted_and_is_deleted_with_its_scope()
    {
        string queue;
        await using (var scope = await broker.CreateScopeAsync())
        {
            queue = scope.QueueName("broker-self-test");
            await using var channel = await scope.Connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
            await channel.QueueDeclareAsync(queue, durable: false, exclusive: false, autoDelete: false);
            for (var i = 0; i < 3; i++)
            {
                await channel.BasicPublishAsync("", queue, Encoding.UTF8.GetBytes($"message {i}"));
            }

            await scope.WaitForMessageCountAsync(queue, 3, TimeSpan.FromSeconds(10));
            Assert.Equal(3u, await scope.MessageCountAsync(queue));
        }

        await using var check = await broker.CreateScopeAsync();
        Assert.False(await check.QueueExistsAsync(queue));
    }

    [Fact]
    public async Task Scopes_hand_out_names_no_other_scope_uses()
    {
        await using var first = await broker.CreateScopeAsync();
        await using var second = await broker.CreateScopeAsync();

        Assert.NotEqual(first.Name("smpp-send-sms"), second.Name("smpp-send-sms"));
        Assert.StartsWith("smpp-send-sms.", first.Name("smpp-send-sms"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Counting_a_queue_that_does_not_exist_fails_with_404()
    {
        await using var scope = await broker.CreateScopeAsync();

        var error = await Assert.ThrowsAsync<OperationInterruptedException>(() => scope.MessageCountAsync(scope.Name("missing")));

        Assert.Equal((ushort)404, error.ShutdownReason?.ReplyCode);
    }
}
