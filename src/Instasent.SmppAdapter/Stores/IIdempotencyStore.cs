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
    /// <remarks>
    /// When the command has no recorded progress (its first attempt) and <paramref name="firstSend"/> is given, the claim
    /// records it in the same step: a progress whose first segment's send is counted already
    /// (<see cref="SubmitProgress.FirstSend"/>), so the first <c>submit_sm</c> needs no write of its own.
    /// <see cref="IdempotencyClaim.FirstSendRecorded"/> says whether it was.
    /// </remarks>
    ValueTask<IdempotencyClaim> ClaimAsync(string messageId, SubmitProgress? firstSend, CancellationToken cancellationToken);

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

/// <summary>
/// The answer of <see cref="IIdempotencyStore.ClaimAsync"/>. A <see cref="IdempotencyClaimStatus.Claimed"/> one ends with
/// <see cref="CompleteAsync"/> (the outcome recorded and the claim released together) or, without an outcome (a hand-back),
/// with <see cref="Dispose"/>, which releases it.
/// </summary>
public sealed class IdempotencyClaim(
    IdempotencyClaimStatus status,
    object? outcome,
    Action? release,
    SubmitProgress? progress = null,
    Func<object, AcceptedCorrelation?, ValueTask>? complete = null,
    bool firstSendRecorded = false) : IDisposable
{
    private Action? _release = release;

    public IdempotencyClaimStatus Status { get; } = status;

    /// <summary>The outcome event with <see cref="IdempotencyClaimStatus.Completed"/>.</summary>
    public object? Outcome { get; } = outcome;

    /// <summary>With <see cref="IdempotencyClaimStatus.Claimed"/>, what earlier attempts recorded; null for a first attempt.</summary>
    public SubmitProgress? Progress { get; } = progress;

    /// <summary>
    /// With <see cref="IdempotencyClaimStatus.Claimed"/>: the claim recorded the <c>firstSend</c> progress it was given
    /// (a first attempt), so its first segment's send is counted already.
    /// </summary>
    public bool FirstSendRecorded { get; } = firstSendRecorded;

    /// <summary>
    /// Records the final outcome event, forgets the command's progress, records <paramref name="lastCorrelation"/> (the
    /// last segment's, accepted in this attempt and not yet recorded) and releases this claim: one step, one round trip
    /// with a shared store. A twin waiting on the claim then finds the outcome.
    /// </summary>
    public async ValueTask CompleteAsync(object outcome, AcceptedCorrelation? lastCorrelation)
    {
        var completeWith = complete ?? throw new InvalidOperationException($"only a {IdempotencyClaimStatus.Claimed} claim completes (this one is {Status})");
        await completeWith(outcome, lastCorrelation).ConfigureAwait(false);
        // Released with the outcome: nothing left for Dispose.
        Interlocked.Exchange(ref _release, null);
    }

    public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
}
