using System.Buffers.Binary;
using System.Text;
using Instasent.Smpp.Codec;

namespace Instasent.Smpp.Pdus;

/// <summary>One optional parameter: its tag and its value bytes, exactly as they were on the wire.</summary>
public readonly record struct Tlv(ushort Tag, ReadOnlyMemory<byte> Value)
{
    public Tlv(TlvTag tag, ReadOnlyMemory<byte> value) : this((ushort)tag, value) { }

    public static Tlv FromByte(TlvTag tag, byte value) => new(tag, new[] { value });

    public static Tlv FromUInt16(TlvTag tag, ushort value)
    {
        var bytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(bytes, value);
        return new Tlv(tag, bytes);
    }

    /// <summary>A C-octet string value (receipted_message_id and friends carry their NUL on the wire).</summary>
    public static Tlv FromCString(TlvTag tag, string value)
    {
        // SMPP 3.4 §3.1: a C-octet string is octets then NUL; Latin-1 would silently turn U+03A9 into '?'.
        foreach (var c in value)
        {
            if (c is '\0' or > '\u00FF')
            {
                throw new PduFieldException($"TLV 0x{(ushort)tag:X4}", $"TLV 0x{(ushort)tag:X4} contains U+{(int)c:X4}, which a C-octet string cannot carry");
            }
        }
        var bytes = new byte[value.Length + 1];
        Encoding.Latin1.GetBytes(value, bytes);
        return new Tlv(tag, bytes);
    }
}

/// <summary>
/// The TLVs of one PDU, in wire order. Unknown tags are kept byte for byte, so a PDU decoded and encoded again
/// is the same bytes. Typed accessors cover the TLVs this project uses.
/// </summary>
public sealed class TlvCollection : IReadOnlyList<Tlv>
{
    private List<Tlv>? _items;

    public int Count => _items?.Count ?? 0;

    public Tlv this[int index] => _items is null ? throw new ArgumentOutOfRangeException(nameof(index)) : _items[index];

    /// <summary>Adds or replaces the TLV with this tag (SMPP allows each tag once per PDU).</summary>
    public void Set(Tlv tlv)
    {
        _items ??= new List<Tlv>(2);
        for (var i = 0; i < _items.Count; i++)
        {
            if (_items[i].Tag == tlv.Tag)
            {
                _items[i] = tlv;
                return;
            }
        }
        _items.Add(tlv);
    }

    /// <summary>Appends without replacing: the decoder keeps what the peer sent, repeats included.</summary>
    internal void Append(Tlv tlv) => (_items ??= new List<Tlv>(2)).Add(tlv);

    internal void EnsureCapacity(int capacity) => (_items ??= new List<Tlv>(capacity)).EnsureCapacity(capacity);

    public bool Remove(TlvTag tag) => _items is not null && _items.RemoveAll(t => t.Tag == (ushort)tag) > 0;

    public bool TryGet(TlvTag tag, out ReadOnlyMemory<byte> value)
    {
        if (_items is not null)
        {
            foreach (var t in _items)
            {
                if (t.Tag == (ushort)tag)
                {
                    value = t.Value;
                    return true;
                }
            }
        }
        value = default;
        return false;
    }

    public bool Contains(TlvTag tag) => TryGet(tag, out _);

    /// <summary>The value, or null when the TLV is absent (SMPP 3.4 §5.3: optional means absent is not empty).</summary>
    public ReadOnlyMemory<byte>? GetOctets(TlvTag tag) =>
        // Not `? v : null`: null converts to ReadOnlyMemory<byte> through byte[], which would read "empty", not "absent".
        TryGet(tag, out var v) ? v : default(ReadOnlyMemory<byte>?);

    public byte? GetByte(TlvTag tag) => TryGet(tag, out var v) && v.Length >= 1 ? v.Span[0] : null;

    public ushort? GetUInt16(TlvTag tag) =>
        TryGet(tag, out var v) && v.Length >= 2 ? BinaryPrimitives.ReadUInt16BigEndian(v.Span) : null;

    /// <summary>A C-octet string TLV; the trailing NUL is optional because some SMSCs leave it out.</summary>
    public string? GetCString(TlvTag tag)
    {
        if (!TryGet(tag, out var v))
        {
            return null;
        }

        var span = v.Span;
        var nul = span.IndexOf((byte)0);
        return Encoding.Latin1.GetString(nul >= 0 ? span[..nul] : span);
    }

    // Typed access to the TLVs the adapter reads and writes.
    public ReadOnlyMemory<byte>? MessagePayload
    {
        get => GetOctets(TlvTag.MessagePayload);
        set => SetOctets(TlvTag.MessagePayload, value);
    }

    public string? ReceiptedMessageId
    {
        get => GetCString(TlvTag.ReceiptedMessageId);
        set => SetCString(TlvTag.ReceiptedMessageId, value);
    }

    public byte? MessageState
    {
        get => GetByte(TlvTag.MessageState);
        set => SetByte(TlvTag.MessageState, value);
    }

    /// <summary>network_error_code: network type (1 octet) then error code (2 octets), SMPP 3.4 §5.3.2.31.</summary>
    public ReadOnlyMemory<byte>? NetworkErrorCode
    {
        get => GetOctets(TlvTag.NetworkErrorCode);
        set => SetOctets(TlvTag.NetworkErrorCode, value);
    }

    public ushort? SarMsgRefNum
    {
        get => GetUInt16(TlvTag.SarMsgRefNum);
        set => SetUInt16(TlvTag.SarMsgRefNum, value);
    }

    public byte? SarTotalSegments
    {
        get => GetByte(TlvTag.SarTotalSegments);
        set => SetByte(TlvTag.SarTotalSegments, value);
    }

    public byte? SarSegmentSeqnum
    {
        get => GetByte(TlvTag.SarSegmentSeqnum);
        set => SetByte(TlvTag.SarSegmentSeqnum, value);
    }

    public ushort? UserMessageReference
    {
        get => GetUInt16(TlvTag.UserMessageReference);
        set => SetUInt16(TlvTag.UserMessageReference, value);
    }

    public byte? ScInterfaceVersion
    {
        get => GetByte(TlvTag.ScInterfaceVersion);
        set => SetByte(TlvTag.ScInterfaceVersion, value);
    }

    public ushort? SourcePort
    {
        get => GetUInt16(TlvTag.SourcePort);
        set => SetUInt16(TlvTag.SourcePort, value);
    }

    public ushort? DestinationPort
    {
        get => GetUInt16(TlvTag.DestinationPort);
        set => SetUInt16(TlvTag.DestinationPort, value);
    }

    /// <summary>congestion_state (SMPP 5.0 §4.8.4.19): 0 idle .. 100 congested.</summary>
    public byte? CongestionState
    {
        get => GetByte(TlvTag.CongestionState);
        set => SetByte(TlvTag.CongestionState, value);
    }

    // The setters mirror the getters: a value sets the TLV, null removes it.
    private void SetByte(TlvTag tag, byte? value) => SetOrRemove(tag, value is { } v ? Tlv.FromByte(tag, v) : null);

    private void SetUInt16(TlvTag tag, ushort? value) => SetOrRemove(tag, value is { } v ? Tlv.FromUInt16(tag, v) : null);

    private void SetOctets(TlvTag tag, ReadOnlyMemory<byte>? value) => SetOrRemove(tag, value is { } v ? new Tlv(tag, v) : null);

    private void SetCString(TlvTag tag, string? value) => SetOrRemove(tag, value is null ? null : Tlv.FromCString(tag, value));

    private void SetOrRemove(TlvTag tag, Tlv? tlv)
    {
        if (tlv is { } t)
        {
            Set(t);
        }
        else
        {
            Remove(tag);
        }
    }

    internal int EncodedLength
    {
        get
        {
            if (_items is null)
            {
                return 0;
            }

            var n = 0;
            foreach (var t in _items)
            {
                n += 4 + t.Value.Length;
            }

            return n;
        }
    }

    public IEnumerator<Tlv> GetEnumerator() =>
        (_items ?? (IEnumerable<Tlv>)Array.Empty<Tlv>()).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
