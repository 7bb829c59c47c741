using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// How many commands <see cref="SendSmsRouter"/> may be submitting itself at once (<see cref="AdapterOptions.DirectSubmit"/>):
/// the connection's window less the share kept for high commands. Taken without waiting, or within
/// <c>Adapter:DirectSubmitWait</c>: a router that finds none free forwards the command to the connection's queue
/// instead of holding it, so <c>smpp-send-sms</c> never queues behind the SMSC and a high command published behind a
/// campaign reaches its lane at once (at most that wait later).
/// </summary>
public sealed class DirectSubmitSlots(AdapterOptions options) : IDisposable
{
    private readonly SemaphoreSlim _free = new(CapacityOf(options));

    /// <summary>The most commands submitted by the router at once.</summary>
    public int Capacity { get; } = CapacityOf(options);

    /// <summary>Takes a slot if one is free, without waiting; each true is followed by one <see cref="Return"/>.</summary>
    public bool TryTake() => _free.Wait(0);

    /// <summary>Takes a slot, waiting up to <paramref name="wait"/> for one; each true is followed by one <see cref="Return"/>.</summary>
    public Task<bool> TryTakeAsync(TimeSpan wait, CancellationToken cancellationToken) =>
        wait <= TimeSpan.Zero ? Task.FromResult(TryTake()) : _free.WaitAsync(wait, cancellationToken);

    /// <summary>Takes a slot, waiting as long as it takes; false only when <paramref name="stopping"/> fires first.</summary>
    public async Task<bool> TakeAsync(CancellationToken stopping)
    {
        try
        {
            await _free.WaitAsync(stopping).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return false;
        }
    }

    public void Return() => _free.Release();

    public void Dispose() => _free.Dispose();

    private static int CapacityOf(AdapterOptions options) => options.Connections.Count == 0
        ? 0
        : Math.Max(1, options.Connections[0].TotalWindow - options.Connections[0].HighPrioritySlots);
}
