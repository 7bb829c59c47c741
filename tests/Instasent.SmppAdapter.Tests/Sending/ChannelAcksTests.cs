using System.Reflection;
using Instasent.SmppAdapter.Sending;
using RabbitMQ.Client;

namespace Instasent.SmppAdapter.Tests.Sending;

/// <summary>
/// <see cref="ChannelAcks"/>: a delivery is acknowledged only once settled, a run of settled deliveries from the lowest
/// with one multiple acknowledgement, deliveries piled up behind a slow one alone, and a return before anything could
/// cover it.
/// </summary>
public sealed class ChannelAcksTests
{
    [Fact]
    public async Task Deliveries_settled_out_of_order_wait_for_the_lowest_then_go_in_one_multiple_acknowledgement()
    {
        var channel = RecordingChannel.Create();
        var acks = new ChannelAcks(channel, pileUp: 10);

        await acks.SettleAsync(3, requeue: null);
        await acks.SettleAsync(2, requeue: null);
        Assert.Empty(Frames(channel));

        await acks.SettleAsync(1, requeue: null);
        Assert.Equal(["ack 3 multiple"], Frames(channel));

        await acks.SettleAsync(4, requeue: null);
        Assert.Equal(["ack 3 multiple", "ack 4 multiple"], Frames(channel));
    }

    [Fact]
    public async Task Deliveries_piled_up_behind_a_slow_one_are_acknowledged_alone_and_the_slow_one_later()
    {
        var channel = RecordingChannel.Create();
        var acks = new ChannelAcks(channel, pileUp: 3);

        await acks.SettleAsync(2, requeue: null);
        await acks.SettleAsync(4, requeue: null);
        Assert.Empty(Frames(channel));
        await acks.SettleAsync(3, requeue: null);
        Assert.Equal(["ack 2", "ack 3", "ack 4"], Frames(channel));

        await acks.SettleAsync(1, requeue: null);
        // Only 1 is left unacknowledged up to 4: the multiple acknowledgement covers it alone.
        Assert.Equal(["ack 2", "ack 3", "ack 4", "ack 1 multiple"], Frames(channel));
        await acks.SettleAsync(5, requeue: null);
        Assert.Equal("ack 5 multiple", Frames(channel)[^1]);
    }

    [Fact]
    public async Task A_return_is_sent_alone_before_any_acknowledgement_covers_it_and_the_run_goes_on_past_it()
    {
        var channel = RecordingChannel.Create();
        var acks = new ChannelAcks(channel, pileUp: 10);

        await acks.SettleAsync(2, requeue: null);
        await acks.SettleAsync(1, requeue: true);
        await acks.SettleAsync(3, requeue: false);
        await acks.SettleAsync(4, requeue: null);

        Assert.Equal(["nack 1 requeue", "ack 2 multiple", "nack 3", "ack 4 multiple"], Frames(channel));
    }

    [Fact]
    public async Task Deliveries_settled_while_a_frame_is_being_sent_go_out_together_in_the_next_one()
    {
        var channel = RecordingChannel.Create();
        var proxy = (RecordingChannel)(object)channel;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        proxy.Hold = release.Task;
        var acks = new ChannelAcks(channel, pileUp: 100);

        var first = acks.SettleAsync(1, requeue: null);
        var others = Enumerable.Range(2, 9).Select(tag => acks.SettleAsync((ulong)tag, requeue: null)).ToList();
        await Task.WhenAll(others);
        release.SetResult();
        await first;

        Assert.Equal(["ack 1 multiple", "ack 10 multiple"], Frames(channel));
    }

    private static IReadOnlyList<string> Frames(IChannel channel) => ((RecordingChannel)(object)channel).Frames;

    /// <summary>An <see cref="IChannel"/> that records acknowledgements and returns, and supports nothing else.</summary>
    public class RecordingChannel : DispatchProxy
    {
        private readonly List<string> _frames = [];

        public IReadOnlyList<string> Frames
        {
            get
            {
                lock (_frames)
                {
                    return [.. _frames];
                }
            }
        }

        /// <summary>While set and not complete, the first frame's send waits for it.</summary>
        public Task? Hold { get; set; }

        public static IChannel Create() => Create<IChannel, RecordingChannel>();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            var frame = targetMethod?.Name switch
            {
                nameof(IChannel.BasicAckAsync) => $"ack {args![0]}{((bool)args[1]! ? " multiple" : "")}",
                nameof(IChannel.BasicNackAsync) => $"nack {args![0]}{((bool)args[1]! ? " multiple" : "")}{((bool)args[2]! ? " requeue" : "")}",
                _ => throw new NotSupportedException(targetMethod?.Name),
            };
            lock (_frames)
            {
                _frames.Add(frame);
            }
            if (Hold is { } hold)
            {
                Hold = null;
                return new ValueTask(hold);
            }
            return ValueTask.CompletedTask;
        }
    }
}
