using Instasent.Smpp.Text;

namespace Instasent.Smpp.Messages;

/// <summary>Limits of a <see cref="SegmentReassembler"/>.</summary>
public sealed record ReassemblyOptions
{
    /// <summary>Partial messages held at once; at the limit the oldest is dropped (reported as <see cref="DropReason.Evicted"/>).</summary>
    public int MaxPendingMessages { get; init; } = 1024;

    /// <summary>Largest total a message may announce; a segment of a longer one is not held (<see cref="ReassemblyStatus.Rejected"/>).</summary>
    public int MaxSegments { get; init; } = 16;

    /// <summary>How long after its first segment a partial message is kept.</summary>
    public TimeSpan Expiry { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>What <see cref="SegmentReassembler.Add"/> did with a segment.</summary>
public enum ReassemblyStatus
{
    /// <summary>The message is whole (a plain message, or the last missing segment arrived).</summary>
    Complete,

    /// <summary>Held; more segments are missing.</summary>
    Pending,

    /// <summary>That segment was already held; ignored.</summary>
    Duplicate,

    /// <summary>Not held because its total exceeds <see cref="ReassemblyOptions.MaxSegments"/>; the result carries this segment alone.</summary>
    Rejected,
}

/// <summary>Why a partial message was dropped.</summary>
public enum DropReason
{
    /// <summary>Older than <see cref="ReassemblyOptions.Expiry"/>.</summary>
    Expired,

    /// <summary>Oldest when <see cref="ReassemblyOptions.MaxPendingMessages"/> was reached.</summary>
    Evicted,
}

/// <summary>The outcome of one inbound segment.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Payload">With Complete or Rejected: the user data (UDH removed, segments joined in order), else null.</param>
/// <param name="Text">Payload decoded by the data_coding, else null.</param>
/// <param name="Concatenation">The segment's concatenation data, null for a plain message.</param>
public sealed record ReassemblyResult(ReassemblyStatus Status, byte[]? Payload, string? Text, ConcatenationInfo? Concatenation);

/// <summary>A partial message given up on; its segments are discarded.</summary>
public sealed record DroppedPartialMessage(
    string SourceAddr, string DestinationAddr, ushort Reference, byte Total, int ReceivedSegments, DateTimeOffset FirstReceivedAt, DropReason Reason);

/// <summary>
/// Joins inbound segments (UDH 8/16-bit reference, or SAR TLVs) into whole messages, keyed by
/// (source_addr, destination_addr, reference, total). Segments may arrive in any order; duplicates are ignored.
/// Bounded: at most <see cref="ReassemblyOptions.MaxPendingMessages"/> partials of at most
/// <see cref="ReassemblyOptions.MaxSegments"/> segments, each kept at most <see cref="ReassemblyOptions.Expiry"/>.
/// Expired partials are dropped and reported through the <c>onDropped</c> callback: on <see cref="RemoveExpired"/>
/// (call it periodically), when a new segment arrives for an expired key, or when room is needed.
/// A duplicate arriving after its message completed starts a new partial that later expires.
/// Thread-safe (one lock: inbound traffic is light and each call is short).
/// </summary>
public sealed class SegmentReassembler
{
    private readonly Dictionary<Key, Partial> _pending = [];
    private readonly ReassemblyOptions _options;
    private readonly TimeProvider _time;
    private readonly Action<DroppedPartialMessage>? _onDropped;

    public SegmentReassembler(ReassemblyOptions? options = null, TimeProvider? timeProvider = null, Action<DroppedPartialMessage>? onDropped = null)
    {
        _options = options ?? new ReassemblyOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxPendingMessages, 1, "MaxPendingMessages");
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MaxSegments, 1, "MaxSegments");
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.Expiry, TimeSpan.Zero, "Expiry");
        _time = timeProvider ?? TimeProvider.System;
        _onDropped = onDropped;
    }

    /// <summary>Partial messages held now.</summary>
    public int PendingCount
    {
        get
        {
            lock (_pending)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Takes one inbound short_message (deliver_sm). Concatenation comes from the UDH when esm_class has UDHI, else from
    /// <paramref name="sar"/> (the SAR TLV values) when given; otherwise the message is plain and returned Complete. Never throws
    /// on malformed input: a bad UDH makes a plain message, an invalid concatenation IE or SAR triple is ignored.
    /// </summary>
    public ReassemblyResult Add(string sourceAddr, string destinationAddr, byte esmClass, byte dataCoding, ReadOnlySpan<byte> shortMessage, SarNumbers? sar = null)
    {
        var body = shortMessage[UserDataHeader.GetTextOffset(esmClass, shortMessage, out var concat)..];
        if (concat is null && sar is { } s && new ConcatenationInfo(s.MsgRefNum, s.TotalSegments, s.SegmentSeqnum) is { IsValid: true } fromSar)
        {
            concat = fromSar;
        }
        if (concat is not { } c || c.Total == 1)
        {
            return Whole(ReassemblyStatus.Complete, body.ToArray(), dataCoding, concat);
        }
        if (c.Total > _options.MaxSegments)
        {
            return Whole(ReassemblyStatus.Rejected, body.ToArray(), dataCoding, c);
        }

        var now = _time.GetUtcNow();
        var key = new Key(sourceAddr, destinationAddr, c.Reference, c.Total);
        List<DroppedPartialMessage>? dropped = null;
        ReassemblyResult result;
        lock (_pending)
        {
            if (_pending.TryGetValue(key, out var partial) && IsExpired(partial, now))
            {
                _pending.Remove(key);
                (dropped ??= []).Add(Dropped(key, partial, DropReason.Expired));
                partial = null;
            }
            if (partial is null)
            {
                if (_pending.Count >= _options.MaxPendingMessages)
                {
                    MakeRoom(now, ref dropped);
                }
                partial = new Partial(c.Total, now, dataCoding);
                _pending.Add(key, partial);
            }
            if (partial.Segments[c.Sequence - 1] is not null)
            {
                result = new ReassemblyResult(ReassemblyStatus.Duplicate, null, null, c);
            }
            else
            {
                partial.Segments[c.Sequence - 1] = body.ToArray();
                if (++partial.Received < c.Total)
                {
                    result = new ReassemblyResult(ReassemblyStatus.Pending, null, null, c);
                }
                else
                {
                    _pending.Remove(key);
                    result = Whole(ReassemblyStatus.Complete, Join(partial.Segments), partial.DataCoding, c);
                }
            }
        }
        Report(dropped);
        return result;
    }

    /// <summary>Drops every partial older than <see cref="ReassemblyOptions.Expiry"/>, reports each, and returns how many.</summary>
    public int RemoveExpired()
    {
        var now = _time.GetUtcNow();
        List<DroppedPartialMessage>? dropped = null;
        lock (_pending)
        {
            RemoveExpiredLocked(now, ref dropped);
        }
        Report(dropped);
        return dropped?.Count ?? 0;
    }

    private void RemoveExpiredLocked(DateTimeOffset now, ref List<DroppedPartialMessage>? dropped)
    {
        foreach (var (key, partial) in _pending)
        {
            if (IsExpired(partial, now))
            {
                _pending.Remove(key);
                (dropped ??= []).Add(Dropped(key, partial, DropReason.Expired));
            }
        }
    }

    private void MakeRoom(DateTimeOffset now, ref List<DroppedPartialMessage>? dropped)
    {
        RemoveExpiredLocked(now, ref dropped);
        if (_pending.Count < _options.MaxPendingMessages)
        {
            return;
        }
        var oldest = _pending.MinBy(p => p.Value.FirstReceivedAt);
        _pending.Remove(oldest.Key);
        (dropped ??= []).Add(Dropped(oldest.Key, oldest.Value, DropReason.Evicted));
    }

    private bool IsExpired(Partial partial, DateTimeOffset now) => now - partial.FirstReceivedAt >= _options.Expiry;

    private void Report(List<DroppedPartialMessage>? dropped)
    {
        if (dropped is null || _onDropped is null)
        {
            return;
        }
        foreach (var d in dropped)
        {
            _onDropped(d);
        }
    }

    private static DroppedPartialMessage Dropped(Key key, Partial partial, DropReason reason) =>
        new(key.Source, key.Destination, key.Reference, key.Total, partial.Received, partial.FirstReceivedAt, reason);

    private static ReassemblyResult Whole(ReassemblyStatus status, byte[] payload, byte dataCoding, ConcatenationInfo? concat) =>
        new(status, payload, SmsText.Decode(dataCoding, payload), concat);

    private static byte[] Join(byte[]?[] segments)
    {
        var joined = new byte[segments.Sum(s => s!.Length)];
        var offset = 0;
        foreach (var segment in segments)
        {
            segment!.CopyTo(joined, offset);
            offset += segment!.Length;
        }
        return joined;
    }

    private readonly record struct Key(string Source, string Destination, ushort Reference, byte Total);

    private sealed class Partial(byte total, DateTimeOffset firstReceivedAt, byte dataCoding)
    {
        public readonly byte[]?[] Segments = new byte[]?[total];
        public readonly DateTimeOffset FirstReceivedAt = firstReceivedAt;
        public readonly byte DataCoding = dataCoding;
        public int Received;
    }
}
