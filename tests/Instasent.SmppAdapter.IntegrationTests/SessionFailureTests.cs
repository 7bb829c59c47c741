using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Simulator;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>Wrong credentials, and one dead account next to a healthy one.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class SessionFailureTests(RabbitMqBroker broker)
{
    [Fact]
    public async Task Wrong_credentials_give_SmppSessionBindFailed_with_ESME_RINVPASWD_and_bind_attempts_bounded_by_BindFailureDelay()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker, waitForBind: false, config: new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:Password"] = "wrong",
            ["Smpp:Connections:0:BindFailureDelay"] = "00:00:02",
        });

        // Three refusals of each of the two session slots, then the times the adapter itself stamped on them: a slot binds
        // again only BindFailureDelay (2 s) after a refusal. Treated as an ordinary failure (ReconnectDelayMin 100 ms)
        // the refusals would be 100-500 ms apart. (50 ms of slack for the wall clock the stamps are read from.)
        await run.UntilAsync(() => BySlot(run).Count == 2 && BySlot(run).All(slot => slot.Count() >= 3), "three refused binds of each session slot");
        foreach (var slot in BySlot(run))
        {
            var times = slot.Select(f => f.FailedAt).Order().ToList();
            Assert.All(times.Zip(times.Skip(1), (earlier, later) => later - earlier),
                gap => Assert.True(gap >= TimeSpan.FromSeconds(2) - TimeSpan.FromMilliseconds(50), $"{slot.Key} bound again {gap} after a refusal"));
        }
        Assert.Equal(0, run.Smsc.Stats.BindsAccepted);
        Assert.True(run.Smsc.Stats.BindsRefused.GetValueOrDefault("ESME_RINVPASWD") >= 6);

        var failures = run.Bus.Of<SmppSessionBindFailed>();
        Assert.All(failures, f =>
        {
            Assert.Equal("ESME_RINVPASWD", f.CommandStatusName);
            Assert.Equal(0x0E, f.CommandStatus);
            Assert.Equal("instasent", f.Connection);
            Assert.Equal("myuser", f.SystemId);
            Assert.Equal(run.Smsc.Port, f.Port);
        });
        Assert.Empty(run.Bus.Of<SmppSessionBound>());
        Assert.DoesNotContain(run.Bus.Events, e => e.Envelope.ToJsonString().Contains("wrong", StringComparison.Ordinal));
        Assert.False(run.Pool["instasent"].HasBoundTransmitter);
    }

    [Fact]
    public async Task A_connection_with_bad_credentials_does_not_block_another_connections_commands()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker, waitForBind: false,
            simulator: new SimulatorOptions
            {
                ReceiptDelay = TimeSpan.FromMilliseconds(50),
                Accounts = [new SimulatorAccount("myuser", "mypass"), new SimulatorAccount("backup", "secret")],
            },
            config: new Dictionary<string, string?>
            {
                ["Smpp:Connections:1:Name"] = "backup",
                ["Smpp:Connections:1:Host"] = "127.0.0.1",
                ["Smpp:Connections:1:SystemId"] = "backup",
                ["Smpp:Connections:1:Password"] = "wrong",
                ["Smpp:Connections:1:Sessions"] = "1",
                ["Smpp:Connections:1:BindFailureDelay"] = "00:00:02",
            });
        Assert.Equal(run.Smsc.Port, run.Pool["backup"].Options.Port);
        await run.UntilAsync(() => run.Pool["instasent"].HasBoundTransmitter && run.Gate.IsOpen("instasent"), "instasent bound");
        await run.UntilAsync(() => run.Bus.Of<SmppSessionBindFailed>().Any(f => f.Connection == "backup"), "backup's bind refused");

        // The dead account's commands first, so a shared queue would have them in front of the healthy ones.
        var dead = Enumerable.Range(0, 30).Select(i => Command($"dead-{i}", "backup")).ToList();
        var healthy = Enumerable.Range(0, 30).Select(i => Command($"healthy-{i}", "instasent")).ToList();
        await run.Bus.PublishManyAsync(dead);
        await run.Bus.PublishManyAsync(healthy);

        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count >= healthy.Count, "the healthy connection's outcomes");
        Assert.Equal(healthy.Select(c => c.MessageId).Order(), run.Bus.Of<SmsSubmitted>().Select(s => s.MessageId).Order());
        Assert.All(run.Bus.Of<SmsSubmitted>(), s => Assert.Equal("instasent", s.Connection));
        Assert.All(run.AcceptedSubmits, s => Assert.Equal("myuser", s.SystemId));
        // The dead account's commands are not rejected: they wait in RabbitMQ for a session.
        await run.UntilAsync(async () => await run.Bus.MessageCountAsync("smpp-send-sms.backup") == dead.Count, "backup's commands parked in its queue");
        Assert.Empty(run.Bus.Of<SmsRejected>());
        Assert.False(run.Gate.IsOpen("backup"));
    }

    /// <summary>The SmppSessionBindFailed events by session slot: a session id is the connection, bind type and slot, then a part new for every bind.</summary>
    private static List<IGrouping<string, SmppSessionBindFailed>> BySlot(AdapterOnBroker run) =>
        run.Bus.Of<SmppSessionBindFailed>().GroupBy(f => f.SessionId[..f.SessionId.LastIndexOf('-')]).ToList();

    private static SendSms Command(string id, string connection) =>
        new() { MessageId = id, From = "Instasent", To = "+34600000001", Text = $"to {connection}", Connection = connection };
}
