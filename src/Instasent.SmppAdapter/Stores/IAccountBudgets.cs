using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// The account-wide budgets of each connection (DESIGN.md, state and scale-out): its submits per second and its binds.
/// In memory they are this process's; in Redis every replica of the deployment draws on the same ones.
/// </summary>
public interface IAccountBudgets
{
    /// <summary>The connection's shared submit budget; null when this process alone paces the connection (in memory).</summary>
    ISubmitTokens? SubmitTokens(SmppConnectionOptions connection);

    /// <summary>The connection's bind slots (<see cref="SmppConnectionOptions.MaxBinds"/>).</summary>
    IBindSlots BindSlots(SmppConnectionOptions connection);
}

/// <summary>Submit tokens drawn from a budget shared with other replicas.</summary>
public interface ISubmitTokens
{
    /// <summary>Returns once this process may send one submit_sm.</summary>
    ValueTask TakeAsync(CancellationToken cancellationToken);
}

/// <summary>The account's bind slots: a session binds only while it holds a lease on one.</summary>
public interface IBindSlots
{
    /// <summary>How long a lease lives unrenewed (<see cref="TimeSpan.MaxValue"/>: it never lapses).</summary>
    TimeSpan Lease { get; }

    /// <summary>A lease on a free slot, or null when every slot is held (by this process or another replica).</summary>
    ValueTask<IBindSlotLease?> TryAcquireAsync(CancellationToken cancellationToken);

    /// <summary>Returns when a slot may have come free (a release), or after <paramref name="timeout"/> (a lease may have lapsed).</summary>
    Task WaitForReleaseAsync(TimeSpan timeout, CancellationToken cancellationToken);
}

/// <summary>One held bind slot; disposing it releases the slot.</summary>
public interface IBindSlotLease : IAsyncDisposable
{
    int Slot { get; }

    /// <summary>Extends the lease by <see cref="IBindSlots.Lease"/>; false when it lapsed and another holder took the slot.</summary>
    ValueTask<bool> RenewAsync(CancellationToken cancellationToken);
}
