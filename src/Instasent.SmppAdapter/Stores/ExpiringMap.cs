namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// A dictionary whose entries expire a fixed time after they were written and whose size is bounded (the oldest entry
/// goes first). Entries are kept in write order, so expiry and eviction are O(1) from the head of a queue; a
/// rewritten key is re-queued and its stale queue slot is skipped. Thread-safe through one lock (operations are short).
/// </summary>
internal sealed class ExpiringMap<TKey, TValue>(TimeSpan retention, int maxEntries, TimeProvider time)
    where TKey : notnull
{
    private readonly Dictionary<TKey, (TValue Value, long Version, DateTimeOffset ExpiresAt)> _entries = [];
    private readonly Queue<(TKey Key, long Version)> _order = new();
    private long _version;

    public int Count
    {
        get
        {
            lock (_entries)
            {
                Prune(time.GetUtcNow());
                return _entries.Count;
            }
        }
    }

    public void Set(TKey key, TValue value)
    {
        lock (_entries)
        {
            var now = time.GetUtcNow();
            Prune(now);
            var version = ++_version;
            _entries[key] = (value, version, now + retention);
            _order.Enqueue((key, version));
            while (_entries.Count > maxEntries && _order.TryDequeue(out var oldest))
            {
                RemoveIfCurrent(oldest);
            }
        }
    }

    public bool TryGet(TKey key, out TValue value)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var entry) && entry.ExpiresAt > time.GetUtcNow())
            {
                value = entry.Value;
                return true;
            }
            value = default!;
            return false;
        }
    }

    public void Remove(TKey key)
    {
        lock (_entries)
        {
            // Its queue slot goes stale and is skipped when it reaches the head.
            _entries.Remove(key);
        }
    }

    private void Prune(DateTimeOffset now)
    {
        while (_order.TryPeek(out var head))
        {
            if (_entries.TryGetValue(head.Key, out var entry) && entry.Version == head.Version && entry.ExpiresAt > now)
            {
                return;
            }
            _order.Dequeue();
            RemoveIfCurrent(head);
        }
    }

    private void RemoveIfCurrent((TKey Key, long Version) slot)
    {
        if (_entries.TryGetValue(slot.Key, out var entry) && entry.Version == slot.Version)
        {
            _entries.Remove(slot.Key);
        }
    }
}
