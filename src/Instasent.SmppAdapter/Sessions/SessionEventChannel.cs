using System.Threading.Channels;

namespace Instasent.SmppAdapter.Sessions;

/// <summary>
/// Session events (SmppSessionBound / BindFailed / Unbound) from the pool to the bus publisher, so the pool knows nothing
/// of MassTransit. Bounded: these events are informational, so under a flood the oldest are dropped, never the pool blocked.
/// </summary>
public sealed class SessionEventChannel
{
    private readonly Channel<object> _channel = Channel.CreateBounded<object>(new BoundedChannelOptions(1024)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
    });

    public ChannelReader<object> Reader => _channel.Reader;

    public void Write(object sessionEvent) => _channel.Writer.TryWrite(sessionEvent);

    /// <summary>No more events (the pool has stopped): the reader drains what is left, then its loop ends.</summary>
    public void Complete() => _channel.Writer.TryComplete();
}
