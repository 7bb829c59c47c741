using System.Net;
using System.Text.Json.Nodes;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Simulator;

namespace Instasent.SmppAdapter.IntegrationTests.Stores;

/// <summary>
/// Redis down under the adapter (a private redis-server, stopped and started again mid-run) is an outage like the SMSC's:
/// commands wait in RabbitMQ, deliver_sm is answered ESME_RX_T_APPN, readiness names the reason, and everything resumes by
/// itself; nothing is lost and no SMS is sent twice.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class RedisOutageTests(RabbitMqBroker broker)
{
    private const int Commands = 200;

    private static SendSms Command(int i) => new() { MessageId = $"outage-{i:D3}", From = "Instasent", To = $"+346{i:D8}", Text = $"Your code is {i:D6}" };

    [Fact]
    public async Task With_Redis_stopped_mid_run_the_adapter_takes_no_command_answers_deliver_sm_ESME_RX_T_APPN_and_resumes_without_loss_or_duplicate()
    {
        await using var redis = await PrivateRedisServer.CreateAsync();
        await using var run = await AdapterOnBroker.StartAsync(broker, new Dictionary<string, string?>
        {
            ["Stores:Provider"] = "Redis",
            ["Stores:Redis:Configuration"] = redis.Configuration,
            ["Stores:Redis:KeyPrefix"] = "outage:",
            // A claim whose release could not reach Redis lapses within the test's waits.
            ["Stores:ClaimLease"] = "00:00:30",
        }, simulator: new SimulatorOptions { ReceiptDelay = TimeSpan.FromMilliseconds(50), DeliverRetryDelay = TimeSpan.FromMilliseconds(500), MaxDeliverAttempts = 1000 });
        using var http = new HttpClient { BaseAddress = run.Host.HttpAddresses[0], Timeout = TimeSpan.FromSeconds(30) };
        var first = Enumerable.Range(0, Commands / 2).Select(Command).ToList();
        await run.Bus.PublishManyAsync(first);
        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count >= Commands / 8, "some outcomes before Redis stops");

        await redis.StopAsync();

        await run.UntilAsync(() => !run.Gate.IsOpen("instasent"), "the connection queue closed");
        var ready = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var stores = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["checks"]!["stores"]!;
        Assert.Equal("Unhealthy", stores["status"]!.GetValue<string>());
        Assert.Contains("Redis", stores["description"]!.GetValue<string>(), StringComparison.Ordinal);
        var appnBefore = run.Smsc.Stats.DeliverSmResponses.GetValueOrDefault("ESME_RX_T_APPN");
        var mo = await run.Smsc.InjectMoAsync("myuser", "+34600000009", "12345", "sent while Redis is down");
        await run.UntilAsync(() => run.Smsc.Stats.DeliverSmResponses.GetValueOrDefault("ESME_RX_T_APPN") > appnBefore, "a deliver_sm answered ESME_RX_T_APPN");
        var second = Enumerable.Range(Commands / 2, Commands / 2).Select(Command).ToList();
        await run.Bus.PublishManyAsync(second);

        await redis.StartAsync();

        await run.UntilAsync(() => run.Gate.IsOpen("instasent"), "the connection queue consumed again");
        await run.UntilAsync(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "ready again");
        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Select(s => s.MessageId).Distinct().Count() >= Commands, $"{Commands} commands submitted");
        await run.UntilAsync(() => run.Bus.Of<SmsDeliveryReported>().Where(r => r.MessageId is not null).Select(r => r.MessageId).Distinct().Count() >= Commands,
            $"a matched receipt for each of the {Commands} commands");
        await mo.Delivered.WaitAsync(AdapterOnBroker.Wait);
        await run.UntilAsync(() => run.Bus.Of<InboundSmsReceived>().Any(m => m.Text == "sent while Redis is down"), "the inbound SMS published");

        Assert.Empty(run.Bus.Of<SmsRejected>());
        Assert.Equal(0, run.Smsc.Stats.DeliveriesAbandoned);
        // Each command's SMS reached the SMSC exactly once: one accepted submit_sm per destination.
        Assert.All(run.AcceptedSubmits.GroupBy(s => s.DestinationAddr), copies => Assert.Single(copies));
        Assert.Equal(Commands, run.AcceptedSubmits.Count);
        // One distinct outcome per messageId (a redelivered command may publish the same outcome again).
        Assert.All(run.Bus.Of<SmsSubmitted>().GroupBy(s => s.MessageId), copies => Assert.Single(copies.Select(c => string.Join(",", c.SmscMessageIds)).Distinct()));
    }
}
