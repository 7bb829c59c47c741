using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Sessions;

namespace Instasent.SmppAdapter.Tests.Sessions;

/// <summary>
/// The connection's window shared by the high and normal lanes. Admission happens under a lock as slots are taken and
/// released, so whether a wait has completed is observable at once, with no timing involved.
/// </summary>
public sealed class PriorityLanesTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Normal_submits_never_take_the_slots_kept_for_high_ones()
    {
        var lanes = new PriorityLanes(slots: 4, reservedForHigh: 1);
        var normal = new List<IDisposable>();
        for (var i = 0; i < 3; i++)
        {
            normal.Add(await lanes.EnterAsync(null, default));
        }

        var fourth = lanes.EnterAsync(null, default).AsTask();
        Assert.False(fourth.IsCompleted);
        using var ticket = lanes.ExpectHigh();
        var high = lanes.EnterAsync(ticket, default);
        Assert.True(high.IsCompletedSuccessfully);
        Assert.Equal(4, lanes.Held);

        (await high).Dispose();
        ticket.Dispose();
        Assert.False(fourth.IsCompleted, "a normal submit took a slot kept for high ones");
        normal[0].Dispose();
        (await fourth.WaitAsync(Wait)).Dispose();
    }

    [Fact]
    public async Task A_freed_slot_goes_to_a_waiting_high_command_before_normal_ones_that_waited_longer()
    {
        var lanes = new PriorityLanes(slots: 2, reservedForHigh: 0);
        var held = new[] { await lanes.EnterAsync(null, default), await lanes.EnterAsync(null, default) };
        var normalWaiter = lanes.EnterAsync(null, default).AsTask();
        using var ticket = lanes.ExpectHigh();
        var highWaiter = lanes.EnterAsync(ticket, default).AsTask();
        Assert.False(normalWaiter.IsCompleted);
        Assert.False(highWaiter.IsCompleted);

        held[0].Dispose();
        Assert.True(highWaiter.IsCompleted, "the freed slot did not go to the high command");
        Assert.False(normalWaiter.IsCompleted);

        // The high command holds its slot (it is not waiting): the next free one is the normal waiter's.
        held[1].Dispose();
        (await normalWaiter.WaitAsync(Wait)).Dispose();
        (await highWaiter).Dispose();
        Assert.Equal(0, lanes.Held);
    }

    [Fact]
    public async Task No_normal_submit_is_admitted_while_an_expected_high_command_holds_no_slot()
    {
        var lanes = new PriorityLanes(slots: 10, reservedForHigh: 2);
        var ticket = lanes.ExpectHigh();

        var normal = lanes.EnterAsync(null, default).AsTask();
        Assert.False(normal.IsCompleted, "a normal submit went ahead of a high command that has arrived");

        var firstSegment = await lanes.EnterAsync(ticket, default);
        var admitted = await normal.WaitAsync(Wait);
        firstSegment.Dispose();
        // Between its segments the high command waits again: normal submits wait with it.
        var another = lanes.EnterAsync(null, default).AsTask();
        Assert.False(another.IsCompleted, "a normal submit went ahead of the high command's next segment");

        ticket.Dispose();
        (await another.WaitAsync(Wait)).Dispose();
        admitted.Dispose();
        Assert.Equal(0, lanes.Held);
    }

    [Fact]
    public async Task A_cancelled_wait_leaves_the_lane_without_taking_a_slot()
    {
        var lanes = new PriorityLanes(slots: 1, reservedForHigh: 0);
        var held = await lanes.EnterAsync(null, default);
        using var cancel = new CancellationTokenSource();
        var cancelled = lanes.EnterAsync(null, cancel.Token).AsTask();
        var next = lanes.EnterAsync(null, default).AsTask();

        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled.WaitAsync(Wait));
        held.Dispose();
        (await next.WaitAsync(Wait)).Dispose();
        Assert.Equal(0, lanes.Held);
    }

    [Fact]
    public async Task Every_slot_is_released_once_however_often_it_is_disposed()
    {
        var lanes = new PriorityLanes(slots: 2, reservedForHigh: 1);
        var slot = await lanes.EnterAsync(null, default);
        slot.Dispose();
        slot.Dispose();
        Assert.Equal(0, lanes.Held);
        using var first = await lanes.EnterAsync(null, default);
        Assert.False(lanes.EnterAsync(null, default).IsCompleted, "a double release let normal submits past their share");
    }

    [Theory]
    [InlineData(2, 50, "0.2", 20)]
    [InlineData(1, 10, "0.2", 2)]
    [InlineData(1, 10, "0.01", 1)]
    [InlineData(1, 10, "0", 0)]
    [InlineData(1, 1, "0.5", 0)]
    [InlineData(1, 2, "0.9", 1)]
    public void HighPriorityWindowShare_of_the_total_window_is_kept_for_high_commands(int sessions, int window, string share, int slots)
    {
        var options = TestConfig.Options(new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:Sessions"] = sessions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smpp:Connections:0:WindowSize"] = window.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smpp:Connections:0:HighPriorityWindowShare"] = share,
        });
        var connection = options.Connections[0];
        Assert.Equal(slots, connection.HighPrioritySlots);
        Assert.Equal(sessions * window, connection.TotalWindow);
        Assert.Equal("smpp-send-sms.instasent.high", connection.HighQueueName);
    }

    [Theory]
    [InlineData("0.95")]
    [InlineData("-0.1")]
    [InlineData("half")]
    public void A_HighPriorityWindowShare_outside_0_to_0_9_stops_the_start_naming_the_key(string share)
    {
        var error = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:HighPriorityWindowShare"] = share,
        }));
        var line = Assert.Single(error.Problems);
        Assert.StartsWith("Smpp:Connections:0:HighPriorityWindowShare must be", line, StringComparison.Ordinal);
        Assert.EndsWith($"(was {share})", line, StringComparison.Ordinal);
    }
}
