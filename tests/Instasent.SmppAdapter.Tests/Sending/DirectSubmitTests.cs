using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Sending;
using Instasent.SmppAdapter.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace Instasent.SmppAdapter.Tests.Sending;

/// <summary>
/// With one connection configured, smpp-send-sms's consumer submits a command itself while the connection's queue is
/// open, instead of sending it on to smpp-send-sms.&lt;connection&gt; (Adapter:DirectSubmit).
/// </summary>
public sealed class DirectSubmitTests
{
    private static SendSms Command(string id) => new() { MessageId = id, From = "Instasent", To = "+34600000001", Text = "Hello" };

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    public async Task With_one_connection_bound_a_command_is_sent_over_the_bus_once_unless_DirectSubmit_is_off(bool directSubmit, int sends)
    {
        await using var adapter = await AdapterUnderTest.StartAsync(new Dictionary<string, string?> { ["Adapter:DirectSubmit"] = directSubmit.ToString() });
        await adapter.SendAsync(Command("direct-1"));

        var submitted = await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "direct-1");

        // The router's forward, when there is one, is sent before the outcome can be published.
        Assert.Equal(sends, adapter.Sent<SendSms>().Count(s => s.Message.MessageId == "direct-1"));
        Assert.Single(adapter.Smsc.RecentSubmits(), s => s.MessageId == submitted.SmscMessageIds[0]);
    }

    [Fact]
    public async Task Bad_input_is_rejected_by_the_direct_consumer_without_a_forward()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        await adapter.SendAsync(Command("direct-bad") with { To = "" });

        var rejected = await adapter.PublishedAsync<SmsRejected>(m => m.MessageId == "direct-bad");

        Assert.Equal(RejectionCodes.InvalidInput, rejected.Code);
        Assert.Single(adapter.Sent<SendSms>(), s => s.Message.MessageId == "direct-bad");
    }

    [Theory]
    [InlineData(1, null, true)]
    [InlineData(1, "false", false)]
    [InlineData(2, null, false)]
    [InlineData(2, "true", false)]
    public void DirectSubmit_applies_only_with_one_connection_and_the_setting_on(int connections, string? setting, bool direct)
    {
        var config = new Dictionary<string, string?> { ["Adapter:DirectSubmit"] = setting };
        if (connections == 2)
        {
            config["Smpp:Connections:1:Name"] = "backup";
            config["Smpp:Connections:1:SystemId"] = "backup";
            config["Smpp:Connections:1:Password"] = "backup";
        }

        Assert.Equal(direct, TestConfig.Options(config).DirectSubmit);
    }

    [Fact]
    public async Task With_every_direct_slot_taken_the_router_forwards_the_command_to_the_connections_queue()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        using var forwards = new ForwardCounter();
        var slots = adapter.Host.Services.GetRequiredService<DirectSubmitSlots>();
        var taken = TakeAll(slots);
        try
        {
            await adapter.SendAsync(Command("direct-full"));

            var submitted = await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "direct-full");

            // Sent by the test, then forwarded by the router: a backlog builds in the connection's queue, not in front of the router.
            Assert.Equal(2, adapter.Sent<SendSms>().Count(s => s.Message.MessageId == "direct-full"));
            Assert.Single(adapter.Smsc.RecentSubmits(), s => s.MessageId == submitted.SmscMessageIds[0]);
            // Other test classes' adapters run beside this one and share the meter: at least this forward is counted.
            Assert.True(forwards.Count("no_slot") >= 1);
        }
        finally
        {
            ReturnAll(slots, taken);
        }

        Assert.Equal(slots.Capacity, taken);
    }

    [Fact]
    public async Task Without_ForwardBacklog_a_command_that_finds_every_slot_taken_waits_for_one_and_takes_one_hop()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(new Dictionary<string, string?> { ["Adapter:ForwardBacklog"] = "false" });
        var slots = adapter.Host.Services.GetRequiredService<DirectSubmitSlots>();
        var taken = TakeAll(slots);
        try
        {
            await adapter.SendAsync(Command("direct-backlog"));
            // Held by the router, not forwarded: nothing reaches the SMSC while every slot is taken.
            await Task.Delay(500);
            Assert.Single(adapter.Sent<SendSms>(), s => s.Message.MessageId == "direct-backlog");
            Assert.DoesNotContain(adapter.Published<SmsSubmitted>(), m => m.MessageId == "direct-backlog");

            slots.Return();
            taken--;
            var submitted = await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "direct-backlog");

            Assert.Single(adapter.Sent<SendSms>(), s => s.Message.MessageId == "direct-backlog");
            Assert.Single(adapter.Smsc.RecentSubmits(), s => s.MessageId == submitted.SmscMessageIds[0]);
        }
        finally
        {
            ReturnAll(slots, taken);
        }
    }

    [Fact]
    public async Task Without_ForwardBacklog_a_high_command_sent_straight_to_its_lane_is_submitted_once()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(new Dictionary<string, string?> { ["Adapter:ForwardBacklog"] = "false" });
        var lane = await adapter.Harness.Bus.GetSendEndpoint(new Uri("queue:smpp-send-sms.instasent.high"));

        // As docs/priority.md tells publishers to keep the head start: past smpp-send-sms's backlog, to the lane.
        await lane.Send(Command("direct-lane") with { Priority = SmsPriorities.High });
        var submitted = await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "direct-lane");

        Assert.Single(adapter.Sent<SendSms>(), s => s.Message.MessageId == "direct-lane");
        Assert.Single(adapter.Smsc.RecentSubmits(), s => s.MessageId == submitted.SmscMessageIds[0]);
    }

    [Fact]
    public async Task Waiting_for_a_slot_without_ForwardBacklog_ends_when_the_adapter_stops()
    {
        using var slots = new DirectSubmitSlots(TestConfig.Options(new Dictionary<string, string?>()));
        Assert.All(Enumerable.Range(0, slots.Capacity), _ => Assert.True(slots.TryTake()));
        using var stopping = new CancellationTokenSource();

        var waiting = slots.TakeAsync(stopping.Token);
        Assert.False(waiting.IsCompleted);
        await stopping.CancelAsync();

        Assert.False(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        slots.Return();
        Assert.True(await slots.TakeAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_high_command_is_forwarded_to_its_lane_even_with_a_slot_free()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        using var forwards = new ForwardCounter();
        await adapter.SendAsync(Command("direct-high") with { Priority = SmsPriorities.High });

        await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "direct-high");

        Assert.Equal(2, adapter.Sent<SendSms>().Count(s => s.Message.MessageId == "direct-high"));
        Assert.True(forwards.Count("high") >= 1);
    }

    private static int TakeAll(DirectSubmitSlots slots)
    {
        var taken = 0;
        while (taken < slots.Capacity + 1 && slots.TryTake())
        {
            taken++;
        }
        return taken;
    }

    private static void ReturnAll(DirectSubmitSlots slots, int taken)
    {
        for (var i = 0; i < taken; i++)
        {
            slots.Return();
        }
    }

    [Theory]
    [InlineData(2, 50, "0.2", 80)]
    [InlineData(1, 10, "0", 10)]
    [InlineData(1, 1, "0.5", 1)]
    public void The_router_submits_at_most_the_window_less_the_high_share_itself(int sessions, int window, string share, int capacity)
    {
        var options = TestConfig.Options(new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:Sessions"] = sessions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smpp:Connections:0:WindowSize"] = window.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smpp:Connections:0:HighPriorityWindowShare"] = share,
        });
        using var slots = new DirectSubmitSlots(options);

        Assert.Equal(capacity, slots.Capacity);
        Assert.All(Enumerable.Range(0, capacity), _ => Assert.True(slots.TryTake()));
        Assert.False(slots.TryTake());
        slots.Return();
        Assert.True(slots.TryTake());
    }

    [Fact]
    public async Task A_slot_returned_while_the_router_waits_within_DirectSubmitWait_is_taken_and_none_past_it()
    {
        using var slots = new DirectSubmitSlots(TestConfig.Options(new Dictionary<string, string?>()));
        Assert.All(Enumerable.Range(0, slots.Capacity), _ => Assert.True(slots.TryTake()));

        Assert.False(await slots.TryTakeAsync(TimeSpan.Zero, default));
        Assert.False(await slots.TryTakeAsync(TimeSpan.FromMilliseconds(20), default));
        var waiting = slots.TryTakeAsync(TimeSpan.FromMinutes(1), default);
        Assert.False(waiting.IsCompleted);
        slots.Return();
        Assert.True(await waiting.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    /// <summary>Counts <c>smpp.adapter.commands.forwarded</c> by reason while it lives.</summary>
    private sealed class ForwardCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentDictionary<string, int> _counts = new();

        public ForwardCounter()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument == AdapterTelemetry.Forwarded)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "reason")
                    {
                        _counts.AddOrUpdate((string)tag.Value!, (int)value, (_, c) => c + (int)value);
                    }
                }
            });
            _listener.Start();
        }

        public int Count(string reason) => _counts.GetValueOrDefault(reason);

        public void Dispose() => _listener.Dispose();
    }
}
