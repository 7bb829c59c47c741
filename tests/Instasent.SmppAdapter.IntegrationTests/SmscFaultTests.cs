using Instasent.Smpp.Messages;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Simulator;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>DESIGN.md "Delivery guarantees" against an SMSC that goes away, refuses binds, drops connections or throttles.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class SmscFaultTests(RabbitMqBroker broker)
{
    private const string ConnectionQueue = "smpp-send-sms.instasent";

    [Fact]
    public async Task While_the_SMSC_is_down_commands_wait_in_RabbitMQ_nothing_is_rejected_and_all_go_out_once_it_is_back()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);

        await run.StopSmscAsync();
        await run.UntilAsync(() => !run.Pool["instasent"].HasBoundTransmitter && !run.Gate.IsOpen("instasent"), "the connection queue closed");
        var commands = Commands("down", 40);
        await run.Bus.PublishManyAsync(commands);
        await run.UntilAsync(async () => await run.Bus.MessageCountAsync(ConnectionQueue) == commands.Count, "the commands parked in the connection queue");
        // A while down, measured by several more reconnect attempts (100-500 ms apart), not by a sleep: still nothing decided.
        var attempts = run.Pool["instasent"].BindAttempts;
        await run.UntilAsync(() => run.Pool["instasent"].BindAttempts >= attempts + 4, "four more reconnect attempts");
        Assert.Empty(run.Bus.Of<SmsRejected>());
        Assert.Empty(run.Bus.Of<SmsSubmitted>());
        Assert.Equal((uint)commands.Count, await run.Bus.MessageCountAsync(ConnectionQueue));
        Assert.Contains(run.Bus.Of<SmppSessionUnbound>(), u => u.Connection == "instasent");

        await run.RestartSmscAsync();

        await AssertEachSubmittedOnceAsync(run, commands);
    }

    [Fact]
    public async Task While_the_SMSC_refuses_binds_nothing_is_rejected_and_all_go_out_once_it_accepts_them_again()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);

        run.Smsc.Faults.RefuseBindsUntil = DateTimeOffset.UtcNow.AddMinutes(5);
        await run.DropSmscConnectionsAsync();
        await run.UntilAsync(() => run.Smsc.Stats.BindsRefused.GetValueOrDefault("ESME_RBINDFAIL") >= 2, "binds refused");
        var commands = Commands("refused", 40);
        await run.Bus.PublishManyAsync(commands);
        await run.UntilAsync(async () => await run.Bus.MessageCountAsync(ConnectionQueue) == commands.Count, "the commands parked in the connection queue");
        Assert.Empty(run.Bus.Of<SmsRejected>());
        Assert.Contains(run.Bus.Of<SmppSessionBindFailed>(), f => f.CommandStatusName == "ESME_RBINDFAIL");

        run.Smsc.Faults.RefuseBindsUntil = null;

        await AssertEachSubmittedOnceAsync(run, commands);
    }

    [Fact]
    public async Task The_SMSC_dropping_every_connection_mid_run_loses_nothing_and_resends_only_unanswered_segments()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);
        var commands = Commands("dropped", 300);
        var expectedSegments = commands.Sum(Segments);

        // Each drop made by the SMSC itself as it accepts the submit that crosses its threshold, before it reads another
        // one: a drop made when the test next runs comes too late (a warm adapter got 145 more submits accepted in that
        // moment, so two drops landed together, the second on no bound session). The thresholds are a hundred segments
        // apart, more than the window (40) lets through a dropped connection, so each drop cuts sessions bound since the
        // previous one, mid-run.
        const int drops = 3;
        var thresholds = Enumerable.Range(1, drops).Select(drop => expectedSegments * drop / (drops + 1)).ToArray();
        var dropped = thresholds.Select(_ => new TaskCompletionSource<Task>(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var acceptedSoFar = 0;
        var smsc = run.Smsc;
        smsc.SubmitAccepted += _ =>
        {
            var index = Array.IndexOf(thresholds, Interlocked.Increment(ref acceptedSoFar));
            if (index >= 0)
            {
                // Resets every connection before returning; the task completes once each has closed.
                dropped[index].TrySetResult(smsc.DropAllConnectionsAsync());
            }
        };

        await run.Bus.PublishManyAsync(commands);
        foreach (var drop in dropped)
        {
            await (await drop.Task.WaitAsync(AdapterOnBroker.Wait)).WaitAsync(AdapterOnBroker.Wait);
        }

        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Select(s => s.MessageId).Distinct().Count() == commands.Count, "an outcome for every command");
        Assert.Empty(run.Bus.Of<SmsRejected>());
        var submitted = run.Bus.Of<SmsSubmitted>();
        // An outcome published twice (a redelivery after a drop) must be the same outcome.
        Assert.All(submitted.GroupBy(s => s.MessageId), g => Assert.Single(g.Select(s => string.Join(',', s.SmscMessageIds)).Distinct()));
        var accepted = run.AcceptedSubmits;
        var byId = accepted.ToDictionary(s => s.MessageId);
        foreach (var outcome in submitted.DistinctBy(s => s.MessageId))
        {
            Assert.Equal(Segments(commands.Single(c => c.MessageId == outcome.MessageId)), outcome.SmscMessageIds.Count);
            var segments = outcome.SmscMessageIds.Select(id => byId[id]).ToList();
            // A resent segment keeps the message's UDH reference, so the handset still joins the parts.
            Assert.Single(segments.Select(s => Reference(s)).Distinct());
        }
        // Duplicates only where the guarantees allow them: segments on the wire when a connection dropped (at most a
        // window per session per drop), never a whole second copy of the traffic.
        var duplicates = accepted.Count - expectedSegments;
        Assert.InRange(duplicates, 0, drops * 2 * 20);
        await run.UntilAsync(() => run.Bus.Of<SmppSessionUnbound>().Count >= drops, "a session loss reported per drop");
        // No receipt lost either: a deliver_sm cut off by a drop was not acknowledged, so the SMSC sends it again.
        var segmentIds = submitted.DistinctBy(s => s.MessageId).SelectMany(s => s.SmscMessageIds).ToHashSet();
        await run.UntilAsync(() => segmentIds.IsSubsetOf(run.Bus.Of<SmsDeliveryReported>().Where(r => r.MessageId is not null).Select(r => r.SmscMessageId)),
            "a matched receipt for every submitted segment");
    }

    [Fact]
    public async Task Throttling_by_the_SMSC_gets_every_message_through_exactly_once()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);
        run.Smsc.Faults.MaxSubmitsPerSecond = 25;
        var commands = Commands("throttled", 120);

        await run.Bus.PublishManyAsync(commands);

        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count + run.Bus.Of<SmsRejected>().Count >= commands.Count, "an outcome for every command");
        Assert.Empty(run.Bus.Of<SmsRejected>());
        Assert.Equal(commands.Select(c => c.MessageId).Order(), run.Bus.Of<SmsSubmitted>().Select(s => s.MessageId).Order());
        Assert.True(run.Smsc.Stats.SubmitsRefused.GetValueOrDefault("ESME_RTHROTTLED") > 0, "the simulator never throttled: the test proves nothing");
        Assert.Equal(commands.Sum(Segments), run.AcceptedSubmits.Count);
    }

    [Fact]
    public async Task A_command_published_again_with_the_same_messageId_is_not_submitted_twice()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);
        var command = Commands("again", 1)[0] with { Text = new string('x', 300) };

        await run.Bus.PublishAsync(command);
        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count == 1, "the first outcome");
        await run.Bus.PublishAsync(command, envelope: true);
        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count == 2, "the outcome published again");

        var outcomes = run.Bus.Of<SmsSubmitted>();
        Assert.Equal(outcomes[0].SmscMessageIds, outcomes[1].SmscMessageIds);
        Assert.Equal(Segments(command), run.AcceptedSubmits.Count);

        // Two copies at once, while the SMSC is slow to answer: the second waits for the first's outcome.
        run.Smsc.Faults.ResponseDelay = TimeSpan.FromMilliseconds(700);
        var twin = command with { MessageId = "again-twin" };
        await Task.WhenAll(run.Bus.PublishAsync(twin), run.Bus.PublishAsync(twin));
        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count(s => s.MessageId == twin.MessageId) == 2, "both copies' outcomes");
        var twins = run.Bus.Of<SmsSubmitted>().Where(s => s.MessageId == twin.MessageId).ToList();
        Assert.Equal(twins[0].SmscMessageIds, twins[1].SmscMessageIds);
        Assert.Equal(2 * Segments(command), run.AcceptedSubmits.Count);
        Assert.Empty(run.Bus.Of<SmsRejected>());
    }

    [Fact]
    public async Task A_command_the_SMSC_never_takes_is_handed_back_through_RabbitMQ_MaxHandBacks_times_then_rejected_not_permanent()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker, new Dictionary<string, string?>
        {
            ["Adapter:RetryBudget"] = "00:00:00.300",
            ["Adapter:MaxHandBacks"] = "2",
        });
        run.Smsc.Faults.QueueFull = true;
        var command = Commands("queue-full", 1)[0];

        await run.Bus.PublishAsync(command);

        await run.UntilAsync(() => run.Bus.Of<SmsRejected>().Count == 1, "the rejection");
        var rejected = run.Bus.Of<SmsRejected>().Single();
        Assert.Equal(command.MessageId, rejected.MessageId);
        Assert.False(rejected.Permanent);
        // The count survived two trips through the broker's headers.
        Assert.Contains("after 3 attempts (handed back 2 times", rejected.Reason);
        Assert.Empty(run.Bus.Of<SmsSubmitted>());
        Assert.Empty(run.AcceptedSubmits);
        Assert.Equal(0u, await run.Bus.MessageCountAsync(ConnectionQueue));
    }

    private static async Task AssertEachSubmittedOnceAsync(AdapterOnBroker run, IReadOnlyList<SendSms> commands)
    {
        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count >= commands.Count, "every command submitted");
        Assert.Empty(run.Bus.Of<SmsRejected>());
        Assert.Equal(commands.Select(c => c.MessageId).Order(), run.Bus.Of<SmsSubmitted>().Select(s => s.MessageId).Order());
        Assert.Equal(commands.Sum(Segments), run.AcceptedSubmits.Count);
        await run.UntilAsync(async () => await run.Bus.MessageCountAsync(ConnectionQueue) == 0, "the connection queue drained");
    }

    /// <summary>Every third command long (two segments), the rest single-segment GSM.</summary>
    private static List<SendSms> Commands(string prefix, int count) => Enumerable.Range(0, count).Select(i => new SendSms
    {
        MessageId = $"{prefix}-{i:D4}",
        From = "Instasent",
        To = $"+3461{i:D7}",
        Text = i % 3 == 0 ? $"{prefix} {i} " + new string('a', 200) : $"{prefix} {i}",
    }).ToList();

    private static int Segments(SendSms command) => command.Text.Length > 160 ? MessageSplitter.CountSegments(command.Text, Instasent.Smpp.Text.SmsAlphabet.Gsm7, SegmentationMode.Udh8) : 1;

    private static int Reference(ReceivedSubmit submit)
    {
        UserDataHeader.GetTextOffset(submit.EsmClass, submit.ShortMessage.Span, out var concatenation);
        return concatenation?.Reference ?? -1;
    }
}
