using System.Text;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Simulator;
using Microsoft.Extensions.DependencyInjection;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

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

    [Fact(Timeout = TestLimitMs)]
    public async Task A_memory_alarm_holds_every_outcome_publish_past_PublishTimeout_and_once_cleared_each_command_has_one_outcome_and_was_sent_once()
    {
        var config = ClusterConfig();
        config["Adapter:PublishTimeout"] = "00:00:01";
        // The answers wait for the test's gate, not for a clock; the response timeout only bounds a machine too slow to
        // raise the alarm (it would show as a submit accepted twice, never as a pass).
        config["Smpp:Connections:0:ResponseTimeout"] = "00:05:00";
        await using var run = await AdapterOnBroker.StartAsync(await cluster.CreateVirtualHostAsync(), config,
            new SimulatorOptions { ReceiptDelay = TimeSpan.FromMilliseconds(50), DeliverRetryDelay = TimeSpan.FromMilliseconds(500) });
        var deadlines = run.Host.Services.GetRequiredService<PublishDeadlines>();
        // Every command on the wire at once: as many as normal commands may hold of the window (the rest is kept for high
        // ones). One more would wait for a slot until an answer came, and so could only be submitted after the gate opened.
        var connection = run.Host.Services.GetRequiredService<AdapterOptions>().Connections[0];
        var count = connection.TotalWindow - connection.HighPrioritySlots;
        var ids = Enumerable.Range(0, count).Select(i => $"alarm-{i:D3}").ToList();

        run.Smsc.Faults.HoldResponses = true;
        try
        {
            foreach (var id in ids)
            {
                // No receipt: it would be due before the held answer, and this test is about the outcomes.
                await run.Bus.PublishAsync(Command(id) with { RequestDeliveryReport = false });
            }
            // Consumed, submitted and held: the commands are in the adapter before the alarm (a connection RabbitMQ has
            // blocked is not read at all, so during an alarm the adapter could not even take them from the queue).
            await run.UntilAsync(() => run.Smsc.Stats.ResponsesHeld == count, $"all {count} submits received by the SMSC, their answers held");
            Assert.Empty(run.Bus.Of<SmsSubmitted>());

            await RabbitMqCluster.RaiseMemoryAlarmAsync(1);
            try
            {
                await AssertPublishersBlockedOnEveryNodeAsync(run.VirtualHost.Name);
                var exceededBefore = deadlines.Exceeded(PublishDeadlines.Outcome);
                run.Smsc.Faults.HoldResponses = false;
                // Each answer arrives while the alarm is on: the outcome publishes run past their 1 s deadline (and again
                // on each retry of the attempt), and the commands are handed back or left for redelivery.
                await run.UntilAsync(() => deadlines.Exceeded(PublishDeadlines.Outcome) - exceededBefore >= count,
                    $"at least {count} outcome publishes past Adapter:PublishTimeout during the alarm");
                Assert.Equal(0, run.Smsc.Stats.ResponsesHeld);
            }
            finally
            {
                await RabbitMqCluster.ClearMemoryAlarmAsync(1);
            }
        }
        finally
        {
            run.Smsc.Faults.HoldResponses = false;
        }

        await run.UntilAsync(() => ids.All(id => run.Bus.Of<SmsSubmitted>().Any(s => s.MessageId == id)), "every outcome once the alarm cleared", OutcomeWait);
        AssertExactlyOneOutcomeAndOneSubmitEach(run, ids);
        // And it consumes new commands.
        await run.Bus.PublishAsync(Command("alarm-after"));
        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Any(s => s.MessageId == "alarm-after"), "a command after the alarm submitted");
    }

    [Fact(Timeout = TestLimitMs)]
    public async Task A_restart_of_the_adapters_only_broker_mid_run_loses_no_command_and_the_adapter_consumes_again()
    {
        const int count = 150;
        const int node = 1;
        // A broker restart as a single-broker deployment sees it: the adapter knows node 1 alone (no ClusterNodes) and its
        // queues are the default classic durable ones, which live on node 1 only; so while node 1 is down nothing of the
        // adapter's is anywhere, and what was queued or unacknowledged comes back from node 1's disk. The test's client
        // is on node 3, so it sees every event; a command it publishes while node 1 is down comes back unroutable
        // (mandatory) and is published again, as an upstream service would.
        var config = new Dictionary<string, string?> { ["Adapter:PublishTimeout"] = "00:00:05" };
        await using var run = await AdapterOnBroker.StartAsync(await cluster.CreateVirtualHostAsync(), config,
            new SimulatorOptions { ReceiptDelay = TimeSpan.FromMilliseconds(50), DeliverRetryDelay = TimeSpan.FromMilliseconds(500), MaxDeliverAttempts = 600 },
            busClientUri: uri => OnNode(uri, 3));

        var ids = Enumerable.Range(0, count).Select(i => $"restart-{i:D3}").ToList();
        Task? restarting = null;
        var returned = 0;
        try
        {
            for (var i = 0; i < count; i++)
            {
                if (i == count / 3)
                {
                    // Mid-run, while the stream goes on: the whole node, stopped and started again.
                    restarting = RestartNodeAsync(node);
                }
                returned += await PublishUntilRoutedAsync(run.Bus, Command(ids[i]));
                // A steady stream, about 40 commands a second (pacing, not a wait for anything).
                await Task.Delay(25);
            }
            await restarting!;
            Assert.True(returned > 0, "precondition: the stream ran into the outage (no publish came back unroutable)");

            await run.UntilAsync(() => ids.All(id => run.Bus.Of<SmsSubmitted>().Any(s => s.MessageId == id)), "every command submitted", OutcomeWait);
            await run.UntilAsync(() => ids.All(id => run.Bus.Of<SmsDeliveryReported>().Any(r => r.MessageId == id)), "a matched receipt for every command", OutcomeWait);
            AssertExactlyOneOutcomeAndOneSubmitEach(run, ids);
            await run.UntilAsync(() => run.Gate.IsOpen("instasent"), "the connection queue consumed again");
            await run.Bus.PublishAsync(Command("restart-after"));
            await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Any(s => s.MessageId == "restart-after"), "a command after the restart submitted");
        }
        finally
        {
            if (restarting is not null)
            {
                await restarting;
            }
            else if (!RabbitMqCluster.IsUp(node))
            {
                await cluster.StartNodeAsync(node);
            }
        }
    }

    private async Task RestartNodeAsync(int node)
    {
        await cluster.StopNodeAsync(node);
        await cluster.StartNodeAsync(node);
    }

    /// <summary>
    /// Publishes <paramref name="command"/> until the broker routes it: while the node holding <c>smpp-send-sms</c> is down
    /// the broker returns it (mandatory, NO_ROUTE). Bounded by <see cref="OutcomeWait"/>; returns how many times it came back.
    /// </summary>
    private static async Task<int> PublishUntilRoutedAsync(BusClient bus, SendSms command)
    {
        var giveUp = DateTime.UtcNow + OutcomeWait;
        for (var returned = 0; ; returned++)
        {
            try
            {
                await bus.PublishAsync(command);
                return returned;
            }
            catch (PublishException) when (DateTime.UtcNow < giveUp)
            {
                // Returned or nacked: the same command again shortly, as an upstream service would.
                await Task.Delay(200);
            }
        }
    }

    /// <summary>
    /// The alarm is in effect on every node: a probe connection per node publishes one message and is sent
    /// connection.blocked (RabbitMQ blocks a connection at its first publish during an alarm). The alarm is raised on one
    /// node and reaches the others asynchronously; the adapter's connection may be on any of them.
    /// </summary>
    private static async Task AssertPublishersBlockedOnEveryNodeAsync(string virtualHost)
    {
        var probes = new List<IConnection>();
        try
        {
            var blocked = new List<Task<string>>();
            for (var node = 1; node <= RabbitMqCluster.NodeCount; node++)
            {
                var probe = await RabbitMqBroker.ConnectAsync(new UriBuilder(RabbitMqCluster.AmqpUri(node)) { Path = "/" + Uri.EscapeDataString(virtualHost) }.Uri);
                probes.Add(probe);
                var signal = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
                probe.ConnectionBlockedAsync += (_, e) =>
                {
                    signal.TrySetResult(e.Reason);
                    return Task.CompletedTask;
                };
                var channel = await probe.CreateChannelAsync();
                // Routed nowhere and dropped: it is the act of publishing that gets a connection blocked.
                await channel.BasicPublishAsync("", "alarm-probe", Encoding.ASCII.GetBytes("probe"));
                blocked.Add(signal.Task);
            }
            var reasons = await Task.WhenAll(blocked).WaitAsync(AdapterOnBroker.Wait);
            Assert.All(reasons, r => Assert.Contains("memory", r, StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            // Aborted, not closed: a blocked connection's close would not be read until the alarm clears.
            foreach (var probe in probes)
            {
                await probe.AbortAsync();
                probe.Dispose();
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
