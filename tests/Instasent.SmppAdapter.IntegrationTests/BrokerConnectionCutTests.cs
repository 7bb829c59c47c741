using System.Net;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.IntegrationTests.Stores;
using Instasent.SmppAdapter.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>
/// The adapter's broker connection cut mid-run (TCP reset through <see cref="TcpChaosProxy"/>; the shared broker itself
/// is not touched): MassTransit reconnects, unacknowledged commands come back, and each still ends in one outcome.
/// </summary>
/// <remarks>
/// State in Redis, as a deployment that counts on its supervisor to restart the adapter keeps it: a cut can leave a
/// MassTransit endpoint stuck, and the adapter then stops itself (EndpointStallWatchdog) for a new process to go on.
/// </remarks>
[Collection(RabbitMqAndRedisCollection.Name)]
public sealed class BrokerConnectionCutTests(RabbitMqBroker broker, RedisServer redis)
{
    [Theory]
    [InlineData("classic")]
    [InlineData("quorum")]
    public async Task Cutting_the_broker_connection_mid_run_loses_no_command_and_the_adapter_consumes_again(string queueType)
    {
        const int count = 120;
        await using var scope = redis.CreateScope();
        await using var proxy = new TcpChaosProxy(new IPEndPoint(IPAddress.Loopback, broker.Uri.Port));
        await using var run = await AdapterOnBroker.StartAsync(broker,
            new Dictionary<string, string?>
            {
                ["RabbitMq:QueueType"] = queueType,
                ["Adapter:PublishTimeout"] = "00:00:05",
                // Short, for the test: past the retry budget and the drain, as it must be.
                ["Adapter:RetryBudget"] = "00:00:10",
                ["RabbitMq:StalledEndpointTimeout"] = "00:00:20",
                ["Stores:Provider"] = "Redis",
                ["Stores:Redis:Configuration"] = redis.Configuration,
                ["Stores:Redis:KeyPrefix"] = scope.KeyPrefix,
            },
            new SimulatorOptions { ReceiptDelay = TimeSpan.FromMilliseconds(50), DeliverRetryDelay = TimeSpan.FromMilliseconds(500) },
            adapterBrokerUri: uri => new UriBuilder(uri) { Port = proxy.Port }.Uri);
        var ids = Enumerable.Range(0, count).Select(i => $"cut-{queueType}-{i:D3}").ToList();

        for (var i = 0; i < count; i++)
        {
            if (i == count / 3 || i == 2 * count / 3)
            {
                proxy.CutAll();
            }
            await run.Bus.PublishAsync(new SendSms { MessageId = ids[i], From = "Instasent", To = "+34612345678", Text = ids[i] });
            // A steady stream (pacing, not a wait for anything).
            await Task.Delay(20);
        }

        // A bound, not a pace: under a loaded CI machine MassTransit's reconnection and the redeliveries take longer.
        // A cut while an endpoint declares its topology can leave that endpoint stuck (EndpointStallWatchdog): the adapter
        // then stops itself, and here, as its supervisor would, the process is stopped and a new one started.
        AdapterHost? restarted = null;
        await run.UntilAsync(async () =>
        {
            if (restarted is null && run.Host.Services.GetRequiredService<EndpointStallWatchdog>().Stalled is not null)
            {
                using (var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
                {
                    await run.Host.StopAsync(stopping.Token);
                }
                restarted = await run.StartReplicaAsync();
            }
            return ids.All(id => run.Bus.Of<SmsSubmitted>().Any(s => s.MessageId == id));
        }, "every command submitted", TimeSpan.FromMinutes(3));
        await run.UntilAsync(() => ids.All(id => run.Bus.Of<SmsDeliveryReported>().Any(r => r.MessageId == id)), "a matched receipt for every command");
        ClusterFaultTests.AssertExactlyOneOutcomeAndOneSubmitEach(run, ids);
        Assert.True(proxy.AcceptedConnections >= 2, $"the adapter reconnected ({proxy.AcceptedConnections} connections through the proxy)");
    }
}
