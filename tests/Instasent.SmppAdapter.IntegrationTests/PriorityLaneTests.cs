using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.Testing;
using MassTransit;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>
/// <c>priority: high</c> overtakes a connection's backlog: proven by the order the simulator received submit_sm in,
/// never by timing. High commands carry the connection's HighPriorityFlag on the wire, which tells them apart there.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class PriorityLaneTests(RabbitMqBroker broker)
{
    private const int Window = 10;

    [Fact]
    public async Task High_commands_queued_behind_a_normal_backlog_are_all_submitted_before_at_most_a_window_of_normal_ones()
    {
        // The high commands fit the high lane's prefetch (twice the window), so all of them are in the adapter at once.
        const int normal = 400;
        const int high = 15;
        await using var run = await AdapterOnBroker.StartAsync(broker, config: new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:Sessions"] = "1",
            ["Smpp:Connections:0:WindowSize"] = Window.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smpp:Connections:0:HighPriorityFlag"] = "1",
        });
        await run.StopSmscAsync();
        await run.UntilAsync(() => !run.Gate.IsOpen("instasent"), "the connection's queues closed with its session gone");

        // The backlog first, then the high commands: FIFO would send every normal one before them.
        await run.Bus.PublishManyAsync(Commands("normal", normal, SmsPriorities.Normal));
        await run.Bus.PublishManyAsync(Commands("high", high, SmsPriorities.High));
        await run.UntilAsync(async () => await run.Bus.MessageCountAsync("smpp-send-sms.instasent") == normal
            && await run.Bus.MessageCountAsync("smpp-send-sms.instasent.high") == high, "both lanes' commands waiting in RabbitMQ");

        await run.RestartSmscAsync();
        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count >= normal + high, "an outcome for every command");

        var order = run.AcceptedSubmits.Select(s => s.Pdu.PriorityFlag).ToList();
        Assert.Equal(normal + high, order.Count);
        Assert.Equal(high, order.Count(flag => flag == 1));
        var lastHigh = order.LastIndexOf(1);
        var normalBefore = order.Take(lastHigh).Count(flag => flag == 0);
        Assert.True(normalBefore <= Window,
            $"{normalBefore} normal commands were submitted before the last high one (at most the window, {Window}, may be)");
        Assert.Empty(run.Bus.Of<SmsRejected>());
        var submitted = run.Bus.Of<SmsSubmitted>().Select(s => s.MessageId).ToList();
        Assert.Equal(normal + high, submitted.Distinct().Count());
    }

    [Fact]
    public async Task A_high_command_published_to_the_send_sms_exchange_goes_through_the_high_lane()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker, config: new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:HighPriorityFlag"] = "2",
        });
        await run.StopSmscAsync();
        await run.UntilAsync(() => !run.Gate.IsOpen("instasent"), "the connection's queues closed with its session gone");

        var client = Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(run.VirtualHost.Uri));
        using (var starting = new CancellationTokenSource(AdapterOnBroker.Wait))
        {
            await client.StartAsync(starting.Token);
        }
        try
        {
            await client.Publish(Commands("otp", 1, SmsPriorities.High)[0]);
            await run.UntilAsync(async () => await run.Bus.MessageCountAsync("smpp-send-sms.instasent.high") == 1, "the command waiting in the high queue");
            Assert.Equal(0u, await run.Bus.MessageCountAsync("smpp-send-sms.instasent"));
        }
        finally
        {
            await client.StopAsync();
        }

        await run.RestartSmscAsync();
        var submitted = await Eventually.ValueAsync(() => run.Bus.Of<SmsSubmitted>().SingleOrDefault(), "the outcome", AdapterOnBroker.Wait);
        Assert.Equal("otp-0", submitted.MessageId);
        Assert.Equal(2, Assert.Single(run.AcceptedSubmits).Pdu.PriorityFlag);
    }

    private static List<SendSms> Commands(string prefix, int count, string priority) =>
        Enumerable.Range(0, count)
            .Select(i => new SendSms { MessageId = $"{prefix}-{i}", From = "Instasent", To = "+34600000001", Text = $"{prefix} {i}", Priority = priority })
            .ToList();
}
