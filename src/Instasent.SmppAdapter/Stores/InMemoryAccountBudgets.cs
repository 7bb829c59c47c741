using System.Collections.Concurrent;
using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// One process's budgets: no shared submit budget (the connection's local limiter paces it), and
/// <see cref="SmppConnectionOptions.MaxBinds"/> slots held in memory, which the configuration already keeps at or above
/// the process's own binds (<see cref="SmppConnectionOptions.BindsPerProcess"/>).
/// </summary>
public sealed class InMemoryAccountBudgets : IAccountBudgets
{
    private readonly ConcurrentDictionary<string, InMemoryBindSlots> _slots = new(StringComparer.OrdinalIgnoreCase);

    public ISubmitTokens? SubmitTokens(SmppConnectionOptions connection) => null;

    public IBindSlots BindSlots(SmppConnectionOptions connection) =>
        _slots.GetOrAdd(connection.Name, _ => new InMemoryBindSlots(connection.MaxBinds));
}

/// <summary><paramref name="maxBinds"/> slots in this process (0 = unlimited); leases never lapse.</summary>
internal sealed class InMemoryBindSlots(int maxBinds) : IBindSlots
{
    private readonly Lock _lock = new();
    private readonly HashSet<int> _held = [];
    private TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TimeSpan Lease => TimeSpan.MaxValue;

    public ValueTask<IBindSlotLease?> TryAcquireAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var slot = 0;
            while (_held.Contains(slot))
            {
                slot++;
            }
            if (maxBinds > 0 && slot >= maxBinds)
            {
                return ValueTask.FromResult<IBindSlotLease?>(null);
            }
            _held.Add(slot);
            return ValueTask.FromResult<IBindSlotLease?>(new Held(this, slot));
        }
    }

    public async Task WaitForReleaseAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task released;
        lock (_lock)
        {
            released = _released.Task;
        }
        try
        {
            await released.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    private void Release(int slot)
    {
        TaskCompletionSource released;
        lock (_lock)
        {
            if (!_held.Remove(slot))
            {
                return;
            }
            released = _released;
            _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        released.TrySetResult();
    }

    private sealed class Held(InMemoryBindSlots slots, int slot) : IBindSlotLease
    {
        public int Slot => slot;

        public ValueTask<bool> RenewAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

        public ValueTask DisposeAsync()
        {
            slots.Release(slot);
            return ValueTask.CompletedTask;
        }
    }
}
