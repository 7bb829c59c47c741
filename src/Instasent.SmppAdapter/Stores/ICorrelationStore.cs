using System.Diagnostics;

namespace Instasent.SmppAdapter.Stores;

/// <summary>What a delivery receipt needs to name its message: recorded per accepted segment.</summary>
public sealed record SegmentCorrelation
{
    public required string MessageId { get; init; }
    public required int Segment { get; init; }
    public required int Segments { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>The submit_sm span, so the receipt's span links to it.</summary>
    public ActivityContext SubmitContext { get; init; }
}

/// <summary>
/// (connection, normalised smscMessageId) → the segment it names. Receipts can arrive before the submit_sm_resp was
/// processed (on another session, even), so lookups may wait briefly for the key to appear.
/// </summary>
public interface ICorrelationStore
{
    /// <summary>Records the correlation and wakes lookups waiting for it (in any replica sharing the store).</summary>
    ValueTask AddAsync(string connection, string normalizedSmscMessageId, SegmentCorrelation correlation);

    /// <summary>The correlation, waiting up to <paramref name="wait"/> for it to be added; null when it does not appear.</summary>
    ValueTask<SegmentCorrelation?> FindAsync(string connection, string normalizedSmscMessageId, TimeSpan wait, CancellationToken cancellationToken);
}
