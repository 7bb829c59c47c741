namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Final outcomes per <c>messageId</c>, and the in-flight claim that keeps two copies of one command from being
/// submitted at the same time. In-memory now (one replica); a shared durable implementation (e.g. Redis, SQL) is the
/// step for several replicas, hence the interface.
/// </summary>
public interface IIdempotencyStore
{
    /// <summary>
    /// Claims <paramref name="messageId"/> for submission. Returns <see cref="IdempotencyClaimStatus.Claimed"/> (dispose the claim
    /// when done), <see cref="IdempotencyClaimStatus.Completed"/> with the known outcome event, or
    /// <see cref="IdempotencyClaimStatus.InFlight"/> when another copy holds the claim.
    /// </summary>
    ValueTask<IdempotencyClaim> ClaimAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>Records the final outcome event (an <c>SmsSubmitted</c> or <c>SmsRejected</c>) once the broker confirmed it.</summary>
    ValueTask CompleteAsync(string messageId, object outcome, CancellationToken cancellationToken);

    /// <summary>
    /// Completes when the claim another copy holds on <paramref name="messageId"/> is released, or at once when there is
    /// none; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>. Lets a twin wait without polling.
    /// </summary>
    Task WaitForReleaseAsync(string messageId, TimeSpan timeout, CancellationToken cancellationToken);
}

public enum IdempotencyClaimStatus
{
    Claimed,
    Completed,
    InFlight,
}

/// <summary>The answer of <see cref="IIdempotencyStore.ClaimAsync"/>; disposing a <see cref="IdempotencyClaimStatus.Claimed"/> one releases it.</summary>
public sealed class IdempotencyClaim(IdempotencyClaimStatus status, object? outcome, Action? release) : IDisposable
{
    private Action? _release = release;

    public IdempotencyClaimStatus Status { get; } = status;

    /// <summary>The outcome event with <see cref="IdempotencyClaimStatus.Completed"/>.</summary>
    public object? Outcome { get; } = outcome;

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
