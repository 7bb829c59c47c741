using System.Collections.Concurrent;
using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Correlations kept <see cref="SendingOptions.StoreRetention"/> (72 h: the longest validity period) and at most
/// <see cref="SendingOptions.CorrelationMaxEntries"/>; a receipt looking for a key not there yet registers a waiter that
/// <see cref="AddAsync"/> completes, bounded by the caller's wait.
/// </summary>
public sealed class InMemoryCorrelationStore(SendingOptions options, TimeProvider time) : ICorrelationStore
{
    private readonly ExpiringMap<(string, string), SegmentCorrelation> _entries = new(options.StoreRetention, options.CorrelationMaxEntries, time);
    private readonly ConcurrentDictionary<(string, string), TaskCompletionSource<SegmentCorrelation>> _waiters = new();

    public int Count => _entries.Count;

    public ValueTask AddAsync(string connection, string normalizedSmscMessageId, SegmentCorrelation correlation)
    {
        var key = (connection, normalizedSmscMessageId);
        _entries.Set(key, correlation);
        if (_waiters.TryRemove(key, out var waiter))
        {
            waiter.TrySetResult(correlation);
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask<SegmentCorrelation?> FindAsync(string connection, string normalizedSmscMessageId, TimeSpan wait, CancellationToken cancellationToken)
    {
        var key = (connection, normalizedSmscMessageId);
        if (_entries.TryGet(key, out var found))
        {
            return found;
        }
        if (wait <= TimeSpan.Zero)
        {
            return null;
        }
        var waiter = _waiters.GetOrAdd(key, static _ => new TaskCompletionSource<SegmentCorrelation>(TaskCreationOptions.RunContinuationsAsynchronously));
        // Added between the lookup and the registration.
        if (_entries.TryGet(key, out found))
        {
            _waiters.TryRemove(KeyValuePair.Create(key, waiter));
            return found;
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
}
