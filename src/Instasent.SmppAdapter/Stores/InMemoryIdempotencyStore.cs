using System.Collections.Concurrent;
using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Outcomes kept <see cref="SendingOptions.StoreRetention"/> and at most <see cref="SendingOptions.IdempotencyMaxEntries"/>
/// (oldest dropped first); lost on restart, which the README states: a command redelivered after a restart is
/// submitted again. Claims carry the command's progress from <paramref name="progress"/>, and completing forgets it.
/// </summary>
public sealed class InMemoryIdempotencyStore(SendingOptions options, ISubmitProgressStore progress, ICorrelationStore correlations, TimeProvider time)
    : IIdempotencyStore
{
    private readonly ExpiringMap<string, object> _outcomes = new(options.StoreRetention, options.IdempotencyMaxEntries, time);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _inFlight = new(StringComparer.Ordinal);

    public int Count => _outcomes.Count;

    public async ValueTask<IdempotencyClaim> ClaimAsync(string messageId, SubmitProgress? firstSend, CancellationToken cancellationToken)
    {
        if (_outcomes.TryGet(messageId, out var outcome))
        {
            return new IdempotencyClaim(IdempotencyClaimStatus.Completed, outcome, null);
        }
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_inFlight.TryAdd(messageId, released))
        {
            return new IdempotencyClaim(IdempotencyClaimStatus.InFlight, null, null);
        }
        // Re-check: the other copy may have completed between the two lookups.
        if (_outcomes.TryGet(messageId, out outcome))
        {
            Release(messageId, released);
            return new IdempotencyClaim(IdempotencyClaimStatus.Completed, outcome, null);
        }
        var recorded = await progress.LoadAsync(messageId, cancellationToken).ConfigureAwait(false);
        var firstSendRecorded = recorded is null && firstSend is not null;
        if (firstSendRecorded)
        {
            await progress.SaveAsync(messageId, firstSend!, cancellationToken).ConfigureAwait(false);
        }
        return new IdempotencyClaim(IdempotencyClaimStatus.Claimed, null, () => Release(messageId, released), recorded,
            async (outcome, lastCorrelation) =>
            {
                if (lastCorrelation is not null)
                {
                    await correlations.AddAsync(lastCorrelation.Connection, lastCorrelation.NormalizedSmscMessageId, lastCorrelation.Correlation).ConfigureAwait(false);
                }
                await CompleteAsync(messageId, outcome, CancellationToken.None).ConfigureAwait(false);
                Release(messageId, released);
            },
            firstSendRecorded);
    }

    public Task WaitForReleaseAsync(string messageId, TimeSpan timeout, CancellationToken cancellationToken) =>
        _inFlight.TryGetValue(messageId, out var released) ? released.Task.WaitAsync(timeout, time, cancellationToken) : Task.CompletedTask;

    private void Release(string messageId, TaskCompletionSource released)
    {
        _inFlight.TryRemove(KeyValuePair.Create(messageId, released));
        released.TrySetResult();
    }

    public ValueTask CompleteAsync(string messageId, object outcome, CancellationToken cancellationToken)
    {
        _outcomes.Set(messageId, outcome);
        return progress.RemoveAsync(messageId, cancellationToken);
    }
}
