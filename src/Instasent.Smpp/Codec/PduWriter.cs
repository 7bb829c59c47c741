using System.Buffers.Binary;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Codec;

/// <summary>
/// Writes PDU fields big-endian (SMPP 3.4 §3.1). The same body code runs twice: once measuring (no buffer),
/// which also validates every field before a byte is written, then writing into a span of the exact size.
/// </summary>
internal ref struct PduWriter
{
    private readonly Span<byte> _buffer;
    private readonly bool _measuring;

    public PduWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        _measuring = false;
        Position = 0;
    }

    private PduWriter(bool measuring)
    {
        _buffer = default;
        _measuring = measuring;
        Position = 0;
    }

    public static PduWriter Measuring() => new(measuring: true);

    public int Position { get; private set; }

    public void WriteByte(byte value)
    {
        if (!_measuring) _buffer[Position] = value;
        Position += 1;
    }

    public void WriteUInt16(ushort value)
    {
        if (!_measuring) BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], value);
        Position += 2;
    }

    public void WriteUInt32(uint value)
    {
        if (!_measuring) BinaryPrimitives.WriteUInt32BigEndian(_buffer[Position..], value);
        Position += 4;
    }

    /// <summary>A C-octet string (SMPP 3.4 §3.1): the characters, then NUL. <paramref name="maxLength"/> counts the NUL.</summary>
    public void WriteCString(string? value, string field, int maxLength)
    {
        value ??= string.Empty;
        if (value.Length + 1 > maxLength)
        {
            throw new PduFieldException(field,
                $"{field} is {value.Length} characters; SMPP allows at most {maxLength - 1} (C-octet string of {maxLength} with its NUL)");
        }
        if (_measuring)
        {
            foreach (var c in value)
            {
                if (c is '\0' or > '\u00FF')
                    throw new PduFieldException(field, $"{field} contains U+{(int)c:X4}, which a C-octet string cannot carry");
            }
        }
        else
        {
            var span = _buffer.Slice(Position, value.Length);
            for (var i = 0; i < value.Length; i++) span[i] = (byte)value[i];
            _buffer[Position + value.Length] = 0;
        }
        Position += value.Length + 1;
    }

    public void WriteOctets(ReadOnlySpan<byte> value)
    {
        if (!_measuring) value.CopyTo(_buffer[Position..]);
        Position += value.Length;
    }

    /// <summary>sm_length then short_message (SMPP 3.4 §5.2.21: 0 to 254 octets).</summary>
    public void WriteShortMessage(ReadOnlySpan<byte> message)
    {
        if (message.Length > 254)
        {
            throw new PduFieldException("short_message",
                $"short_message is {message.Length} octets; SMPP allows at most 254 (use message_payload for more)");
        }
        WriteByte((byte)message.Length);
        WriteOctets(message);
    }

    public void WriteTlvs(TlvCollection? tlvs)
    {
        if (tlvs is null) return;
        foreach (var tlv in tlvs)
        {
            if (tlv.Value.Length > ushort.MaxValue)
                throw new PduFieldException($"TLV 0x{tlv.Tag:X4}", $"TLV 0x{tlv.Tag:X4} value is {tlv.Value.Length} octets; at most 65535");
            WriteUInt16(tlv.Tag);
            WriteUInt16((ushort)tlv.Value.Length);
            WriteOctets(tlv.Value.Span);
        }
    }
}
