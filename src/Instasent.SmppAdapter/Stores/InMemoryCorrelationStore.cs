using System.Collections.Concurrent;
using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Correlations kept <see cref="SendingOptions.StoreRetention"/> (72 h: the longest validity period) and at most
/// <see cref="SendingOptions.CorrelationMaxEntries"/>; a receipt looking for a key not there yet registers a waiter that
/// <see cref="AddAsync"/> completes, bounded by the caller's wait.
/// </summary>
/// <remarks>
/// A correlation is kept for every segment sent with a receipt asked for, for the whole retention: it is most of what a
/// replica's memory grows by per command, so it is kept compact (<see cref="Kept"/>, half the size of the record) and
/// made a <see cref="SegmentCorrelation"/> again when a receipt looks it up.
/// </remarks>
public sealed class InMemoryCorrelationStore(SendingOptions options, TimeProvider time) : ICorrelationStore
{
    private readonly ExpiringMap<(string, string), Kept> _entries = new(options.StoreRetention, options.CorrelationMaxEntries, time);
    private readonly ConcurrentDictionary<(string, string), TaskCompletionSource<SegmentCorrelation>> _waiters = new();

    public int Count => _entries.Count;

    public ValueTask AddAsync(string connection, string normalizedSmscMessageId, SegmentCorrelation correlation)
    {
        var key = (connection, normalizedSmscMessageId);
        _entries.Set(key, Kept.Of(correlation));
        if (_waiters.TryRemove(key, out var waiter))
        {
            waiter.TrySetResult(correlation);
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask<SegmentCorrelation?> FindAsync(string connection, string normalizedSmscMessageId, TimeSpan wait, CancellationToken cancellationToken)
    {
        var key = (connection, normalizedSmscMessageId);
        if (_entries.TryGet(key, out var kept))
        {
            return kept.Correlation;
        }
        if (wait <= TimeSpan.Zero)
        {
            return null;
        }
        var waiter = _waiters.GetOrAdd(key, static _ => new TaskCompletionSource<SegmentCorrelation>(TaskCreationOptions.RunContinuationsAsynchronously));
        // Added between the lookup and the registration.
        if (_entries.TryGet(key, out kept))
        {
            _waiters.TryRemove(KeyValuePair.Create(key, waiter));
            return kept.Correlation;
        }
        try
        {
            return await waiter.Task.WaitAsync(wait, time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _waiters.TryRemove(KeyValuePair.Create(key, waiter));
            return null;
        }
    }

    /// <summary>
    /// A correlation as kept: its fields without the record's trace context, which is empty unless the submit_sm was
    /// sampled (then the record itself is kept, <see cref="Whole"/>), and its time as UTC ticks and an offset.
    /// </summary>
    private abstract class Kept
    {
        public abstract SegmentCorrelation Correlation { get; }

        public static Kept Of(SegmentCorrelation correlation) =>
            correlation.SubmitContext == default && correlation.Segment is >= 0 and <= ushort.MaxValue && correlation.Segments is >= 0 and <= ushort.MaxValue
                ? new Compact(correlation)
                : new Whole(correlation);
    }

    private sealed class Compact(SegmentCorrelation correlation) : Kept
    {
        private readonly string _messageId = correlation.MessageId;
        private readonly IReadOnlyDictionary<string, string>? _metadata = correlation.Metadata;
        private readonly long _submittedAtTicks = correlation.SubmittedAt.Ticks;
        private readonly short _offsetMinutes = (short)correlation.SubmittedAt.TotalOffsetMinutes;
        private readonly ushort _segment = (ushort)correlation.Segment;
        private readonly ushort _segments = (ushort)correlation.Segments;

        public override SegmentCorrelation Correlation => new()
        {
            MessageId = _messageId,
            Segment = _segment,
            Segments = _segments,
            Metadata = _metadata,
            SubmittedAt = new DateTimeOffset(_submittedAtTicks, TimeSpan.FromMinutes(_offsetMinutes)),
        };
    }

    private sealed class Whole(SegmentCorrelation correlation) : Kept
    {
        public override SegmentCorrelation Correlation { get; } = correlation;
    }
}
