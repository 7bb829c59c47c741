namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// A dictionary whose entries expire a fixed time after they were written and whose size is bounded (the oldest entry
/// goes first). Entries are kept in write order, so expiry and eviction are O(1) from the head of a queue; a
/// rewritten key is re-queued and its stale queue slot is skipped. Thread-safe through one lock (operations are short).
/// </summary>
/// <remarks>
/// A removed or rewritten key leaves its slot in the queue until the slot reaches the head. Behind one long-lived entry
/// (say a command's progress kept while it waits in another queue) the slots of every key written and removed after it
/// would pile up for the whole retention, each holding its key: the queue is compacted instead once it holds more than
/// twice the live entries (and <see cref="CompactionFloor"/>), in one pass that keeps the live slots in order, so its
/// length stays within a constant of the entries' and the cost per operation stays O(1) amortised.
/// </remarks>
internal sealed class ExpiringMap<TKey, TValue>(TimeSpan retention, int maxEntries, TimeProvider time)
    where TKey : notnull
{
    // The expiry in UTC ticks, not a DateTimeOffset: 8 bytes less per entry, and entries are what a replica keeps per command.
    private readonly Dictionary<TKey, (TValue Value, long Version, long ExpiresAt)> _entries = [];
    private readonly Queue<(TKey Key, long Version)> _order = new();
    private long _version;

    /// <summary>Below this many queue slots the queue is never compacted (a pass would cost more than it frees).</summary>
    internal const int CompactionFloor = 1024;

    /// <summary>Slots in the write-order queue, live or stale (for tests: it stays within a constant of <see cref="Count"/>).</summary>
    internal int Slots
    {
        get
        {
            lock (_entries)
            {
                return _order.Count;
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_entries)
            {
                Prune(time.GetUtcNow().UtcTicks);
                return _entries.Count;
            }
        }
    }

    public void Set(TKey key, TValue value)
    {
        lock (_entries)
        {
            var now = time.GetUtcNow().UtcTicks;
            Prune(now);
            var version = ++_version;
            _entries[key] = (value, version, now + retention.Ticks);
            _order.Enqueue((key, version));
            while (_entries.Count > maxEntries && _order.TryDequeue(out var oldest))
            {
                RemoveIfCurrent(oldest);
            }
            CompactIfStale();
        }
    }

    public bool TryGet(TKey key, out TValue value)
    {
        lock (_entries)
        {
            if (_entries.TryGetValue(key, out var entry) && entry.ExpiresAt > time.GetUtcNow().UtcTicks)
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

    private void Prune(long now)
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

    /// <summary>Drops the stale slots (removed or rewritten keys) once they outnumber the live ones, keeping the order.</summary>
    private void CompactIfStale()
    {
        if (_order.Count <= CompactionFloor || _order.Count <= 2 * _entries.Count)
        {
            return;
        }
        var live = _order.Count;
        for (var i = 0; i < live; i++)
        {
            var slot = _order.Dequeue();
            if (_entries.TryGetValue(slot.Key, out var entry) && entry.Version == slot.Version)
            {
                _order.Enqueue(slot);
            }
        }
        _order.TrimExcess();
    }

    private void RemoveIfCurrent((TKey Key, long Version) slot)
    {
        if (_entries.TryGetValue(slot.Key, out var entry) && entry.Version == slot.Version)
        {
            _entries.Remove(slot.Key);
        }
    }
}
