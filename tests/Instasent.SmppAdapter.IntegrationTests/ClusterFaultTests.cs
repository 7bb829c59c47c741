using System.Text;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Simulator;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>
/// Broker faults on the 3-node test cluster (<see cref="RabbitMqCluster"/>, one start shared by every test of the
/// category): the adapter with <c>RabbitMq:QueueType=quorum</c> and all three nodes in <c>RabbitMq:ClusterNodes</c>, a
/// steady stream of commands with receipts from the simulator, and the fault in the middle of it. Each run has its own
/// virtual host; every wait is bounded, and so is each test (<see cref="TestLimitMs"/>).
/// </summary>
[Collection(RabbitMqClusterCollection.Name)]
[Trait("Category", RabbitMqCluster.TestCategory)]
public sealed class ClusterFaultTests(RabbitMqCluster cluster)
{
    private const int TestLimitMs = 300_000;
    private static readonly TimeSpan OutcomeWait = TimeSpan.FromMinutes(3);

    [Fact(Timeout = TestLimitMs)]
    public async Task Stopping_the_node_that_leads_smpp_send_sms_mid_run_loses_no_command_and_the_adapter_consumes_again()
    {
        const int count = 150;
        // The adapter connects to node 1 first and declares its queues there (leaders are client-local); the test's
        // client listens on node 3, which stays up.
        await using var run = await AdapterOnBroker.StartAsync(await cluster.CreateVirtualHostAsync(), ClusterConfig(),
            new SimulatorOptions { ReceiptDelay = TimeSpan.FromMilliseconds(50), DeliverRetryDelay = TimeSpan.FromMilliseconds(500) },
            busClientUri: uri => OnNode(uri, 3));
        var leader = await cluster.LeaderOfAsync(SendSms.QueueName, run.VirtualHost.Name);
        Assert.True(leader != 3, $"precondition: smpp-send-sms is led by node {leader}, the node the test's client listens on");

        var ids = Enumerable.Range(0, count).Select(i => $"leader-loss-{i:D3}").ToList();
        Task? stopping = null;
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (i == count / 3)
                {
                    // Mid-run, while the stream goes on: the node leading the command queue (and holding the adapter's connection).
                    stopping = cluster.StopNodeAsync(leader);
                }
                await run.Bus.PublishAsync(Command(ids[i]));
                // A steady stream, about 40 commands a second (pacing, not a wait for anything).
                await Task.Delay(25);
            }
            await stopping!;

            await run.UntilAsync(() => ids.All(id => run.Bus.Of<SmsSubmitted>().Any(s => s.MessageId == id)), "every command submitted", OutcomeWait);
            await run.UntilAsync(() => ids.All(id => run.Bus.Of<SmsDeliveryReported>().Any(r => r.MessageId == id)), "a matched receipt for every command", OutcomeWait);
            AssertExactlyOneOutcomeAndOneSubmitEach(run, ids);
            Assert.True(run.Gate.IsOpen("instasent"), "the connection queue is consumed again");
            Assert.NotEqual(leader, await cluster.LeaderOfAsync(SendSms.QueueName, run.VirtualHost.Name));
        }
        finally
        {
            if (stopping is not null)
            {
                await stopping;
                await cluster.StartNodeAsync(leader);
            }
        }
    }

    /// <summary>
    /// Each command ended in SmsSubmitted and nothing else (an outcome published again after a redelivery is the same
    /// outcome, which the contract allows), and the SMSC accepted its text exactly once.
    /// </summary>
    internal static void AssertExactlyOneOutcomeAndOneSubmitEach(AdapterOnBroker run, IReadOnlyList<string> ids)
    {
        var set = ids.ToHashSet();
        Assert.DoesNotContain(run.Bus.Of<SmsRejected>(), r => set.Contains(r.MessageId));
        var outcomes = run.Bus.Of<SmsSubmitted>().Where(s => set.Contains(s.MessageId)).GroupBy(s => s.MessageId).ToList();
        Assert.Equal(ids.Order(), outcomes.Select(g => g.Key).Order());
        Assert.All(outcomes, g => Assert.Single(g.Select(s => string.Join(",", s.SmscMessageIds)).Distinct()));
        var sent = run.AcceptedSubmits.Select(s => Encoding.ASCII.GetString(s.ShortMessage.Span)).Where(set.Contains).GroupBy(t => t).ToList();
        Assert.Equal(ids.Order(), sent.Select(g => g.Key).Order());
        Assert.All(sent, g => Assert.True(g.Count() == 1, $"{g.Key} accepted by the SMSC {g.Count()} times"));
    }

    private static Dictionary<string, string?> ClusterConfig() => new()
    {
        ["RabbitMq:QueueType"] = "quorum",
        ["RabbitMq:ClusterNodes:0"] = $"127.0.0.1:{RabbitMqCluster.AmqpUri(1).Port}",
        ["RabbitMq:ClusterNodes:1"] = $"127.0.0.1:{RabbitMqCluster.AmqpUri(2).Port}",
        ["RabbitMq:ClusterNodes:2"] = $"127.0.0.1:{RabbitMqCluster.AmqpUri(3).Port}",
        ["Adapter:PublishTimeout"] = "00:00:05",
    };

    private static Uri OnNode(Uri uri, int node) => new UriBuilder(uri) { Port = RabbitMqCluster.AmqpUri(node).Port }.Uri;

    private static SendSms Command(string id) => new() { MessageId = id, From = "Instasent", To = "+34612345678", Text = id };

}
