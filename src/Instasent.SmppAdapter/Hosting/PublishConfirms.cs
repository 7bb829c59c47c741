using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using PublishException = RabbitMQ.Client.Exceptions.PublishException;

namespace Instasent.SmppAdapter.Hosting;

/// <summary>
/// The publisher confirms of one confirm channel, tracked here rather than by RabbitMQ.Client: the broker numbers a
/// channel's publishes 1, 2, 3… and answers with <c>basic.ack</c> / <c>basic.nack</c>, <c>multiple</c> settling every
/// number up to the one it names. The client's own tracking stamps each message with an <c>x-dotnet-pub-seq-no</c>
/// header (a header table on every event for the broker to parse and every subscriber to see), keeps a task per publish
/// in a dictionary it walks whole on each <c>multiple</c> ack, and wakes a thread-pool worker per confirmed publish.
/// </summary>
/// <remarks>
/// A channel's numbers restart after it is recovered, so a shutdown fails whatever is unconfirmed (its callers publish
/// again: a message may then reach the broker twice, never zero times) and opens a new <see cref="Epoch"/>: a publish
/// that took its number before the shutdown and registers after it fails at once instead of waiting for a number the
/// new channel will give someone else. What follows a confirm runs on the thread that handles the broker's ack when
/// <see cref="PublishConfirms(bool)"/> says so, as the adapter does (it is short up to its next wait: a command
/// acknowledged, a deliver_sm_resp queued; one thread-pool hand-off less per event), otherwise on the thread pool.
/// <see cref="Track"/> and <see cref="PublishAsync"/> are the whole of it for a channel: the adapter's events
/// (<c>RabbitMqBrokerPublisher</c>) and the benchmarks' RabbitMQ.Client floor publish through them.
/// </remarks>
internal sealed class PublishConfirms(bool inlineContinuations)
{
    private readonly Lock _sync = new();
    // One publish at a time between taking its number and handing it to the client, which numbers them as they reach it.
    private readonly SemaphoreSlim _numbering = new(1, 1);
    private readonly Dictionary<ulong, TaskCompletionSource> _pending = [];
    private readonly TaskCreationOptions _options = inlineContinuations ? TaskCreationOptions.None : TaskCreationOptions.RunContinuationsAsynchronously;
    // No unconfirmed number is below this one (while any is pending).
    private ulong _lowest;
    private int _epoch;

    /// <summary>Changes at every shutdown: read it before taking a publish's number, give it to <see cref="Expect"/>.</summary>
    public int Epoch => Volatile.Read(ref _epoch);

    public int Pending
    {
        get
        {
            lock (_sync)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// The confirms of <paramref name="channel"/> (opened with publisher confirmations on and the client's tracking off),
    /// settled from its <c>basic.ack</c> / <c>basic.nack</c>, failed when it shuts down. A channel the client recovers
    /// keeps these handlers; its numbers restart, which the shutdown before it accounts for.
    /// </summary>
    public static PublishConfirms Track(IChannel channel, bool inlineContinuations)
    {
        var confirms = new PublishConfirms(inlineContinuations);
        channel.BasicAcksAsync += (_, e) =>
        {
            confirms.Ack(e.DeliveryTag, e.Multiple);
            return Task.CompletedTask;
        };
        channel.BasicNacksAsync += (_, e) =>
        {
            confirms.Nack(e.DeliveryTag, e.Multiple);
            return Task.CompletedTask;
        };
        channel.ChannelShutdownAsync += (_, e) =>
        {
            confirms.Fail(new AlreadyClosedException(e));
            return Task.CompletedTask;
        };
        return confirms;
    }

    /// <summary>
    /// One publish to <paramref name="exchange"/> on <paramref name="channel"/> (the one <see cref="Track"/> was given),
    /// awaited until the broker confirms it: its number taken and registered before the client sends it. A nack throws
    /// <see cref="PublishException"/>, a shutdown <see cref="AlreadyClosedException"/> or
    /// <see cref="ChannelShutDownException"/>: the caller may publish again.
    /// </summary>
    public async Task PublishAsync(IChannel channel, string exchange, BasicProperties properties, ReadOnlyMemory<byte> body,
        CancellationToken cancellationToken)
    {
        Task confirmed;
        await _numbering.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var epoch = Epoch;
            var sequenceNumber = await channel.GetNextPublishSequenceNumberAsync(cancellationToken).ConfigureAwait(false);
            confirmed = Expect(sequenceNumber, epoch);
            try
            {
                await channel.BasicPublishAsync(exchange, "", mandatory: false, properties, body, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Forget(sequenceNumber);
                throw;
            }
        }
        finally
        {
            _numbering.Release();
        }
        await confirmed.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The confirmation of publish <paramref name="sequenceNumber"/>, registered before the publish goes out; failed at
    /// once (<see cref="ChannelShutDownException"/>) when the channel shut down since <paramref name="epoch"/>.
    /// </summary>
    public Task Expect(ulong sequenceNumber, int epoch)
    {
        var confirmation = new TaskCompletionSource(_options);
        lock (_sync)
        {
            if (epoch != _epoch)
            {
                confirmation.SetException(new ChannelShutDownException(sequenceNumber));
                return confirmation.Task;
            }
            if (_pending.Count == 0 || sequenceNumber < _lowest)
            {
                _lowest = sequenceNumber;
            }
            _pending.Add(sequenceNumber, confirmation);
        }
        return confirmation.Task;
    }

    /// <summary>A publish that failed before reaching the broker: nothing will confirm it.</summary>
    public void Forget(ulong sequenceNumber)
    {
        lock (_sync)
        {
            _pending.Remove(sequenceNumber);
        }
    }

    /// <summary>The broker's <c>basic.ack</c>.</summary>
    public void Ack(ulong deliveryTag, bool multiple) => Settle(deliveryTag, multiple, nack: false);

    /// <summary>The broker's <c>basic.nack</c>: it could not take the message; its caller publishes it again.</summary>
    public void Nack(ulong deliveryTag, bool multiple) => Settle(deliveryTag, multiple, nack: true);

    /// <summary>
    /// The channel shut down: nothing unconfirmed will be confirmed on it. Failed on the thread pool, not on the client's
    /// thread that reports the shutdown: their callers go on to publish again, hand commands back, or give up.
    /// </summary>
    public void Fail(Exception reason)
    {
        List<TaskCompletionSource> failed;
        lock (_sync)
        {
            _epoch++;
            failed = [.. _pending.Values];
            _pending.Clear();
        }
        if (failed.Count > 0)
        {
            ThreadPool.QueueUserWorkItem(static state =>
            {
                foreach (var confirmation in state.failed)
                {
                    confirmation.TrySetException(state.reason);
                }
            }, (failed, reason), preferLocal: false);
        }
    }

    private void Settle(ulong deliveryTag, bool multiple, bool nack)
    {
        TaskCompletionSource? single = null;
        List<(ulong, TaskCompletionSource)>? many = null;
        lock (_sync)
        {
            if (!multiple)
            {
                _pending.Remove(deliveryTag, out single);
            }
            else
            {
                // Numbers are handed out one by one, so those pending up to deliveryTag are a range from _lowest; stop
                // as soon as none is left rather than walking a range the channel's restart left behind.
                for (; _lowest <= deliveryTag && _pending.Count > 0; _lowest++)
                {
                    if (_pending.Remove(_lowest, out var confirmation))
                    {
                        (many ??= []).Add((_lowest, confirmation));
                    }
                }
            }
        }
        // Outside the lock: with inline continuations, what follows each confirm runs here.
        if (single is not null)
        {
            Complete(single, deliveryTag, nack);
        }
        if (many is not null)
        {
            foreach (var (sequenceNumber, confirmation) in many)
            {
                Complete(confirmation, sequenceNumber, nack);
            }
        }
    }

    private static void Complete(TaskCompletionSource confirmation, ulong sequenceNumber, bool nack)
    {
        if (nack)
        {
            confirmation.TrySetException(new PublishException(sequenceNumber, isReturn: false));
        }
        else
        {
            confirmation.TrySetResult();
        }
    }

    /// <summary>A publish that took its number on a channel that shut down before it was registered.</summary>
    public sealed class ChannelShutDownException(ulong sequenceNumber)
        : Exception($"The confirm channel shut down while publish {sequenceNumber} was being sent; it is published again.");
}
