using System.Collections.Concurrent;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Contracts;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Outcomes kept <see cref="SendingOptions.StoreRetention"/> and at most <see cref="SendingOptions.IdempotencyMaxEntries"/>
/// (oldest dropped first); lost on restart, which the README states: a command redelivered after a restart is
/// submitted again. Claims carry the command's progress from <paramref name="progress"/>, and completing forgets it.
/// </summary>
/// <remarks>
/// Every command's outcome is kept for the whole retention, so the common one, an <see cref="SmsSubmitted"/>, is kept
/// compact (<see cref="KeptSubmitted"/>: its fields without the list around a single segment's id, its time as ticks)
/// and made an event again when a redelivered command asks for it.
/// </remarks>
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
            return new IdempotencyClaim(IdempotencyClaimStatus.Completed, Unkept(outcome), null);
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
            return new IdempotencyClaim(IdempotencyClaimStatus.Completed, Unkept(outcome), null);
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
        _outcomes.Set(messageId, outcome is SmsSubmitted submitted && KeptSubmitted.Fits(submitted) ? new KeptSubmitted(submitted) : outcome);
        return progress.RemoveAsync(messageId, cancellationToken);
    }

    private static object Unkept(object kept) => kept is KeptSubmitted submitted ? submitted.Outcome : kept;

    /// <summary>An <see cref="SmsSubmitted"/> as kept: 72 bytes against its 120 (the event and its list of one id).</summary>
    private sealed class KeptSubmitted(SmsSubmitted submitted)
    {
        private readonly string _messageId = submitted.MessageId;
        // The one segment's id, or the list of several.
        private readonly object _smscMessageIds = submitted.SmscMessageIds.Count == 1 ? submitted.SmscMessageIds[0] : submitted.SmscMessageIds;
        private readonly string _connection = submitted.Connection;
        private readonly string _sessionId = submitted.SessionId;
        private readonly IReadOnlyDictionary<string, string>? _metadata = submitted.Metadata;
        private readonly long _submittedAtTicks = submitted.SubmittedAt.Ticks;
        private readonly short _offsetMinutes = (short)submitted.SubmittedAt.TotalOffsetMinutes;

        /// <summary>What the compact form restores exactly: its segment count is its ids'.</summary>
        public static bool Fits(SmsSubmitted submitted) => submitted.Segments == submitted.SmscMessageIds.Count;

        public SmsSubmitted Outcome => new()
        {
            MessageId = _messageId,
            SmscMessageIds = _smscMessageIds as IReadOnlyList<string> ?? [(string)_smscMessageIds],
            Segments = _smscMessageIds is IReadOnlyList<string> ids ? ids.Count : 1,
            Connection = _connection,
            SessionId = _sessionId,
            SubmittedAt = new DateTimeOffset(_submittedAtTicks, TimeSpan.FromMinutes(_offsetMinutes)),
            Metadata = _metadata,
        };
    }
}
