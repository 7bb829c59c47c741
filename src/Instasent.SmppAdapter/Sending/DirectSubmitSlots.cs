using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// How many commands <see cref="SendSmsRouter"/> may be submitting itself at once (<see cref="AdapterOptions.DirectSubmit"/>):
/// the connection's window less the share kept for high commands; and how many more it may hold waiting for one of
/// them (<c>Adapter:DirectSubmitQueue</c>, each at most <c>Adapter:DirectSubmitWait</c>). A command that finds every
/// slot taken and the queue full (or waits past its time) is forwarded to the connection's queue instead of held, so
/// <c>smpp-send-sms</c> never queues behind the SMSC and a high command published behind a campaign reaches its lane at
/// once. A graceful stop ends every wait at once (the command is forwarded: its queue is closed by then).
/// </summary>
public sealed class DirectSubmitSlots : IDisposable
{
    private readonly SemaphoreSlim _free;
    private readonly TimeSpan _wait;
    private readonly CancellationToken _stopping;
    private int _waiting;

    public DirectSubmitSlots(AdapterOptions options, ShutdownDrain drain)
    {
        _stopping = drain.Stopping;
        Capacity = CapacityOf(options);
        QueueLimit = QueueLimitOf(options);
        _free = new SemaphoreSlim(Capacity);
        _wait = options.Sending.DirectSubmitWait;
    }

    /// <summary>The most commands submitted by the router at once.</summary>
    public int Capacity { get; }

    /// <summary>The most commands the router holds waiting for a slot (0: none, a command forwards at once).</summary>
    public int QueueLimit { get; }

    /// <summary>How many commands wait for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Takes a slot if one is free, without waiting; each true is followed by one <see cref="Return"/>.</summary>
    public bool TryTake() => _free.Wait(0);

    /// <summary>
    /// Takes a slot: a free one at once, else waits for one (up to <c>Adapter:DirectSubmitWait</c>) if fewer than
    /// <see cref="QueueLimit"/> commands are waiting already, and the adapter is not stopping. False: forward the
    /// command. Each true is followed by one <see cref="Return"/>.
    /// </summary>
    public async ValueTask<bool> TryTakeAsync()
    {
        if (_free.Wait(0))
        {
            return true;
        }
        if (_stopping.IsCancellationRequested)
        {
            return false;
        }
        if (Interlocked.Increment(ref _waiting) > QueueLimit)
        {
            Interlocked.Decrement(ref _waiting);
            return false;
        }
        try
        {
            return await _free.WaitAsync(_wait, _stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    public void Return() => _free.Release();

    public void Dispose() => _free.Dispose();

    /// <summary>How many commands the router of <paramref name="options"/> may hold at once: submitting, waiting, forwarding.</summary>
    public static int RouterConcurrency(AdapterOptions options) =>
        CapacityOf(options) + QueueLimitOf(options) + (options.Connections.Count == 0 ? 0 : options.Connections[0].TotalWindow);

    private static int CapacityOf(AdapterOptions options) => options.Connections.Count == 0
        ? 0
        : Math.Max(1, options.Connections[0].TotalWindow - options.Connections[0].HighPrioritySlots);

    private static int QueueLimitOf(AdapterOptions options) =>
        options.Sending.DirectSubmitWait <= TimeSpan.Zero ? 0 : options.Sending.DirectSubmitQueue ?? CapacityOf(options);
}
