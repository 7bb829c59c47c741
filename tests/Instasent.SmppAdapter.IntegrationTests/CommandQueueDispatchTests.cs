using System.Text;
using System.Text.Json;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Sending;
using Instasent.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>
/// How a command queue hands deliveries to its handler: RabbitMQ.Client's dispatch with the queue's concurrency, the
/// prefetch above it. At most the concurrency runs at once, the rest wait (prefetched, not refused), every delivery is
/// acknowledged once handled, and the handler reads the body it was given, whole, after its own awaits: what any other
/// dispatch must keep (Session 20 measured one loop handing deliveries to tasks of the queue's own, and undid it as
/// CPU-neutral, docs/performance.md; given the client's buffer rather than a copy, this test fails).
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class CommandQueueDispatchTests(RabbitMqBroker broker)
{
    private const int Concurrency = 4;
    private const int Commands = 13;

    [Fact]
    public async Task At_most_the_concurrency_runs_at_once_the_rest_wait_and_every_one_is_acknowledged_with_its_body_intact()
    {
        await using var scope = await broker.CreateScopeAsync();
        var queue = scope.QueueName("dispatch");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new List<string>();
        var bodies = new Dictionary<string, string>();
        int running = 0, most = 0;
        async Task Handle(SendSmsContext context)
        {
            var now = Interlocked.Increment(ref running);
            lock (started)
            {
                started.Add(context.Message.MessageId);
                most = Math.Max(most, now);
            }
            try
            {
                await gate.Task.WaitAsync(TimeSpan.FromSeconds(30));
                // Past the handler's own awaits: the body must still be the one delivered.
                await Task.Yield();
                lock (started)
                {
                    bodies[context.Message.MessageId] = Encoding.UTF8.GetString(context.Body.Span);
                }
            }
            finally
            {
                Interlocked.Decrement(ref running);
            }
        }

        var options = new AdapterOptions { RabbitMq = new RabbitMqOptions { Uri = broker.Uri } };
        var publisher = new RabbitMqBrokerPublisher(options.RabbitMq, TimeProvider.System, NullLogger<RabbitMqBrokerPublisher>.Instance);
        var commands = new CommandQueue(queue, prefetch: 10, concurrency: Concurrency, Handle,
            (channel, ct) => CommandQueue.DeclareQueueAsync(channel, queue, null, ct), _ => Task.FromResult(scope.Connection),
            options, publisher, TimeProvider.System, NullLogger.Instance);
        scope.ExchangeName("dispatch"); // DeclareQueueAsync declares an exchange of the queue's name: deleted with the scope.
        commands.Start();
        await commands.Ready.WaitAsync(TimeSpan.FromSeconds(30));

        var sent = Enumerable.Range(1, Commands).Select(i => $"dispatch-{i:D2}").ToList();
        var published = new Dictionary<string, string>();
        await using (var channel = await scope.Connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            foreach (var id in sent)
            {
                var body = JsonSerializer.Serialize(new { messageId = id, from = "Instasent", to = "+34600000001", text = $"text of {id}" });
                published[id] = body;
                await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent },
                    Encoding.UTF8.GetBytes(body));
            }
        }

        await Eventually.TrueAsync(() => Volatile.Read(ref running) == Concurrency, $"{Concurrency} handlers running", TimeSpan.FromSeconds(30));
        // Ten prefetched, four running: the other six wait in the client for a handler to finish, not in the broker.
        await Task.Delay(300);
        Assert.Equal(Concurrency, Volatile.Read(ref running));
        gate.SetResult();

        await Eventually.TrueAsync(() => { lock (started) { return bodies.Count == Commands; } }, "every command handled", TimeSpan.FromSeconds(30));
        await scope.WaitForMessageCountAsync(queue, 0, TimeSpan.FromSeconds(10));
        using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            await commands.StopAsync(stopping.Token);
        }

        Assert.Equal(Concurrency, most);
        Assert.Equal(sent.Order(), started.Order());
        Assert.Equal(published, bodies);
        // Acknowledged, not merely delivered: nothing comes back once the consumer's channel is closed.
        Assert.Equal(0u, await scope.MessageCountAsync(queue));
    }
}
