namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Final outcomes per <c>messageId</c>, and the in-flight claim that keeps two copies of one command from being
/// submitted at the same time: in memory for one process, or in Redis, shared by every replica. A claim comes with the
/// command's recorded <see cref="SubmitProgress"/> and an outcome is recorded with the progress forgotten, each in one
/// step, so a shared store answers a command's start and end in one round trip each.
/// </summary>
public interface IIdempotencyStore
{
    /// <summary>
    /// Claims <paramref name="messageId"/> for submission. Returns <see cref="IdempotencyClaimStatus.Claimed"/> (dispose the claim
    /// when done), <see cref="IdempotencyClaimStatus.Completed"/> with the known outcome event, or
    /// <see cref="IdempotencyClaimStatus.InFlight"/> when another copy holds the claim. A claimed one carries the
    /// <see cref="SubmitProgress"/> earlier attempts recorded, if any.
    /// </summary>
    ValueTask<IdempotencyClaim> ClaimAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>
    /// Records the final outcome event (an <c>SmsSubmitted</c> or <c>SmsRejected</c>) and forgets the command's
    /// <see cref="SubmitProgress"/>, in one step: from now on a copy of the command is answered with this outcome.
    /// </summary>
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
public sealed class IdempotencyClaim(IdempotencyClaimStatus status, object? outcome, Action? release, SubmitProgress? progress = null) : IDisposable
{
    private Action? _release = release;

    public IdempotencyClaimStatus Status { get; } = status;

    /// <summary>The outcome event with <see cref="IdempotencyClaimStatus.Completed"/>.</summary>
    public object? Outcome { get; } = outcome;

    /// <summary>With <see cref="IdempotencyClaimStatus.Claimed"/>, what earlier attempts recorded; null for a first attempt.</summary>
    public SubmitProgress? Progress { get; } = progress;

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
