using System.Buffers.Binary;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Codec;

/// <summary>
/// Writes PDU fields big-endian (SMPP 3.4 §3.1) and validates each one as it goes. It writes only while the
/// field fits in its buffer and counts always, so one pass either encodes the PDU or measures it (over an empty
/// or too small buffer) for a second pass into a buffer of the exact size.
/// </summary>
internal ref struct PduWriter
{
    private readonly Span<byte> _buffer;

    public PduWriter(Span<byte> buffer)
    {
        _buffer = buffer;
        Position = 0;
    }

    public int Position { get; private set; }

    /// <summary>Every field so far was written, not only counted.</summary>
    public readonly bool Fits => Position <= _buffer.Length;

    public void Skip(int octets) => Position += octets;

    public void WriteByte(byte value)
    {
        if ((uint)Position < (uint)_buffer.Length)
        {
            _buffer[Position] = value;
        }

        Position += 1;
    }

    public void WriteUInt16(ushort value)
    {
        if (Position + 2 <= _buffer.Length)
        {
            BinaryPrimitives.WriteUInt16BigEndian(_buffer[Position..], value);
        }

        Position += 2;
    }

    public void WriteUInt32(uint value)
    {
        if (Position + 4 <= _buffer.Length)
        {
            BinaryPrimitives.WriteUInt32BigEndian(_buffer[Position..], value);
        }

        Position += 4;
    }

    /// <summary>A C-octet string (SMPP 3.4 §3.1): the characters, then NUL. <paramref name="maxLength"/> counts the NUL.</summary>
    public void WriteCString(string? value, string field, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            // Most optional C-octet strings (service_type, schedule_delivery_time, validity_period) are empty.
            WriteByte(0);
            return;
        }
        if (value.Length + 1 > maxLength)
        {
            ThrowTooLong(value, field, maxLength);
        }

        if (Position + value.Length + 1 <= _buffer.Length)
        {
            // Validate while copying (fields are a few characters): one octet per character; NUL would end the string
            // early and anything above U+00FF has no octet. A failure leaves partial bytes that are never committed.
            var span = _buffer.Slice(Position, value.Length + 1);
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (c is '\0' or > '\u00FF')
                {
                    ThrowNotAnOctet(c, field);
                }

                span[i] = (byte)c;
            }
            span[value.Length] = 0;
        }
        else
        {
            var bad = value.AsSpan().IndexOfAnyExceptInRange('\u0001', '\u00FF');
            if (bad >= 0)
            {
                ThrowNotAnOctet(value[bad], field);
            }
        }
        Position += value.Length + 1;
    }

    public void WriteOctets(ReadOnlySpan<byte> value)
    {
        if (Position + value.Length <= _buffer.Length)
        {
            value.CopyTo(_buffer[Position..]);
        }

        Position += value.Length;
    }

    /// <summary>sm_length then short_message (SMPP 3.4 §5.2.21: 0 to 254 octets).</summary>
    public void WriteShortMessage(ReadOnlySpan<byte> message)
    {
        if (message.Length > FieldLimits.ShortMessage)
        {
            throw new PduFieldException("short_message",
                $"short_message is {message.Length} octets; SMPP allows at most 254 (use message_payload for more)");
        }
        WriteByte((byte)message.Length);
        WriteOctets(message);
    }

    public void WriteTlvs(TlvCollection? tlvs)
    {
        if (tlvs is null)
        {
            return;
        }
        // Indexed, not foreach: the collection's enumerator is an interface and would allocate on every encode.
        for (var i = 0; i < tlvs.Count; i++)
        {
            var tlv = tlvs[i];
            if (tlv.Value.Length > ushort.MaxValue)
            {
                throw new PduFieldException($"TLV 0x{tlv.Tag:X4}", $"TLV 0x{tlv.Tag:X4} value is {tlv.Value.Length} octets; at most 65535");
            }

            WriteUInt16(tlv.Tag);
            WriteUInt16((ushort)tlv.Value.Length);
            WriteOctets(tlv.Value.Span);
        }
    }

    private static void ThrowTooLong(string value, string field, int maxLength) =>
        throw new PduFieldException(field,
            $"{field} is {value.Length} characters; SMPP allows at most {maxLength - 1} (C-octet string of {maxLength} with its NUL)");

    private static void ThrowNotAnOctet(char c, string field) =>
        throw new PduFieldException(field, $"{field} contains U+{(int)c:X4}, which a C-octet string cannot carry");
}
