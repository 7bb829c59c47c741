using RabbitMQ.Client;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// The acknowledgements of one channel, in as few frames as the order of completion allows. A delivery is still
/// acknowledged only once handled (its outcome, forward or hand-back confirmed); the broker numbers a channel's
/// deliveries 1, 2, 3…, so once every delivery up to N is settled one <c>basic.ack</c> with <c>multiple</c> settles
/// those not yet acknowledged. Handled deliveries above one still being handled wait for it, unless
/// <c>pileUp</c> of them have piled up behind it: then they are acknowledged one by one, so a slow command never
/// holds the prefetch. A return (<c>basic.nack</c>) is sent alone, before any multiple acknowledgement could cover it.
/// Whoever settles while nothing is being sent sends, and keeps sending what others settle meanwhile: under load one
/// frame settles many deliveries (docs/performance.md, session 16), with no timer and no wait added.
/// </summary>
/// <remarks>
/// A channel the client recovers numbers its deliveries on from the last one it saw and drops acknowledgements of the
/// lost channel's (the broker delivers those again), so the run of numbers continues across a recovery. A channel
/// opened anew (<c>CommandQueue</c> after the broker closed one) gets its own <see cref="ChannelAcks"/>.
/// </remarks>
internal sealed class ChannelAcks(IChannel channel, int pileUp)
{
    private readonly Lock _lock = new();

    /// <summary>Settled deliveries above <see cref="_through"/>: true once acknowledged or returned on their own.</summary>
    private readonly Dictionary<ulong, bool> _done = [];
    private ulong _through;
    private int _waiting;
    private bool _sending;

    public IChannel Channel => channel;

    /// <summary>Acknowledges (<paramref name="requeue"/> null) or returns one delivery.</summary>
    public async Task SettleAsync(ulong tag, bool? requeue)
    {
        if (requeue is { } back)
        {
            await channel.BasicNackAsync(tag, multiple: false, requeue: back).ConfigureAwait(false);
        }
        lock (_lock)
        {
            _done[tag] = requeue is not null;
            if (requeue is null)
            {
                _waiting++;
            }
            if (_sending)
            {
                // The task sending now looks again before it stops, and takes this one too.
                return;
            }
            _sending = true;
        }
        try
        {
            while (Next() is { } frames)
            {
                if (frames.Through > 0)
                {
                    await channel.BasicAckAsync(frames.Through, multiple: true).ConfigureAwait(false);
                }
                foreach (var alone in frames.Alone ?? [])
                {
                    await channel.BasicAckAsync(alone, multiple: false).ConfigureAwait(false);
                }
            }
        }
        catch
        {
            lock (_lock)
            {
                _sending = false;
            }
            throw;
        }
    }

    /// <summary>What to send next, or null (and no longer sending) when nothing is due.</summary>
    private (ulong Through, List<ulong>? Alone)? Next()
    {
        lock (_lock)
        {
            var through = 0UL;
            while (_done.Remove(_through + 1, out var settled))
            {
                _through++;
                if (!settled)
                {
                    _waiting--;
                    through = _through;
                }
            }
            List<ulong>? alone = null;
            if (_waiting >= pileUp)
            {
                alone = _done.Where(d => !d.Value).Select(d => d.Key).Order().ToList();
                foreach (var tag in alone)
                {
                    _done[tag] = true;
                }
                _waiting = 0;
            }
            if (through == 0 && alone is null)
            {
                _sending = false;
                return null;
            }
            return (through, alone);
        }
    }
}
