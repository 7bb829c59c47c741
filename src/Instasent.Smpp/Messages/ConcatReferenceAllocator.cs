using System.Collections.Concurrent;

namespace Instasent.Smpp.Messages;

/// <summary>
/// Hands out concatenation references (UDH reference or sar_msg_ref_num) so that two long messages in flight to one
/// destination never share one: a handset reassembles by (originator, reference), so sharing would splice messages.
/// A reference is in use from <see cref="Rent"/> until its <see cref="ConcatReference"/> is disposed.
/// Thread-safe; each destination has its own small lock. Memory is bounded by what is in flight: a destination's entry
/// disappears when its last reference is released. Values come from one rolling counter, so a destination sees a
/// just-released reference again only after the counter wraps.
/// </summary>
public sealed class ConcatReferenceAllocator
{
    private readonly ConcurrentDictionary<string, InUse> _destinations = new(StringComparer.Ordinal);
    private readonly int _range;
    private int _counter = -1;

    /// <summary>An allocator sized for the mode: 0..255 for <see cref="SegmentationMode.Udh8"/>, else 0..65535.</summary>
    public ConcatReferenceAllocator(SegmentationMode mode)
        : this(mode == SegmentationMode.Udh8 ? byte.MaxValue : ushort.MaxValue)
    {
    }

    /// <summary>An allocator handing out 0..<paramref name="maxReference"/>.</summary>
    public ConcatReferenceAllocator(int maxReference)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxReference, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxReference, ushort.MaxValue);
        _range = maxReference + 1;
    }

    /// <summary>The largest reference handed out.</summary>
    public int MaxReference => _range - 1;

    /// <summary>Destinations with at least one reference in use.</summary>
    public int TrackedDestinations => _destinations.Count;

    /// <summary>
    /// Takes a reference no other in-flight message to <paramref name="destination"/> holds. Throws
    /// <see cref="InvalidOperationException"/> when every reference for that destination is in use.
    /// </summary>
    public ConcatReference Rent(string destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        while (true)
        {
            var inUse = _destinations.GetOrAdd(destination, static _ => new InUse());
            lock (inUse)
            {
                if (inUse.Removed)
                {
                    // Lost a race with the release of this destination's last reference: take the fresh entry.
                    continue;
                }
                if (inUse.Values.Count >= _range)
                {
                    throw new InvalidOperationException(
                        $"All {_range} concatenation references (0..{_range - 1}) for this destination are in use by messages in flight; wait for their submit_sm_resp or use 16-bit references (Udh16).");
                }
                var candidate = (int)((uint)Interlocked.Increment(ref _counter) % (uint)_range);
                while (!inUse.Values.Add((ushort)candidate))
                {
                    candidate = (candidate + 1) % _range;
                }
                return new ConcatReference(this, destination, (ushort)candidate);
            }
        }
    }

    internal void Release(string destination, ushort value)
    {
        if (!_destinations.TryGetValue(destination, out var inUse))
        {
            return;
        }
        lock (inUse)
        {
            if (inUse.Values.Remove(value) && inUse.Values.Count == 0)
            {
                inUse.Removed = true;
                _destinations.TryRemove(KeyValuePair.Create(destination, inUse));
            }
        }
    }

    private sealed class InUse
    {
        public readonly HashSet<ushort> Values = [];
        public bool Removed;
    }
}

/// <summary>A rented concatenation reference; dispose it (once every segment is answered) to release it.</summary>
public sealed class ConcatReference : IDisposable
{
    private ConcatReferenceAllocator? _owner;

    internal ConcatReference(ConcatReferenceAllocator owner, string destination, ushort value)
    {
        _owner = owner;
        Destination = destination;
        Value = value;
    }

    /// <summary>The destination it was rented for.</summary>
    public string Destination { get; }

    /// <summary>The reference to put in the UDH or sar_msg_ref_num.</summary>
    public ushort Value { get; }

    /// <summary>Releases the reference; further calls do nothing.</summary>
    public void Dispose() => Interlocked.Exchange(ref _owner, null)?.Release(Destination, Value);
}
