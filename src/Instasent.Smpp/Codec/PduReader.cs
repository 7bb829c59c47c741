using System.Buffers.Binary;
using System.Text;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Codec;

/// <summary>
/// Reads PDU fields from one whole PDU. Every read is bounded by the PDU and by the field's limit; a violation
/// throws <see cref="PduFormatException"/> carrying the command_status to answer with, which
/// <see cref="PduCodec"/> turns into a <see cref="PduDecodeError"/>. Nothing here trusts the peer.
/// </summary>
internal ref struct PduReader
{
    private readonly ReadOnlySpan<byte> _body;
    private int _position;

    public PduReader(ReadOnlySpan<byte> body)
    {
        _body = body;
        _position = 0;
    }

    public readonly int Remaining => _body.Length - _position;

    public readonly bool AtEnd => _position >= _body.Length;

    public byte ReadByte(string field)
    {
        if (Remaining < 1)
        {
            ThrowTruncated(field, 1, Remaining);
        }

        return _body[_position++];
    }

    public uint ReadUInt32(string field)
    {
        if (Remaining < 4)
        {
            ThrowTruncated(field, 4, Remaining);
        }

        var value = BinaryPrimitives.ReadUInt32BigEndian(_body[_position..]);
        _position += 4;
        return value;
    }

    /// <summary>
    /// A C-octet string of at most <paramref name="maxLength"/> octets counting its NUL. A missing NUL or an
    /// over-long value answers <paramref name="status"/>, the field's own error status where SMPP defines one.
    /// </summary>
    public string ReadCString(string field, int maxLength, CommandStatus status)
    {
        if (Remaining < 1)
        {
            ThrowTruncated(field, 1, Remaining);
        }

        if (_body[_position] == 0)
        {
            // The common case for optional fields (service_type, schedule_delivery_time, validity_period).
            _position++;
            return string.Empty;
        }
        var window = _body.Slice(_position, Math.Min(maxLength, Remaining));
        var nul = window.IndexOf((byte)0);
        if (nul < 0)
        {
            ThrowUnterminated(field, maxLength, status, window.Length);
        }

        _position += nul + 1;
        return Latin1(window[..nul]);
    }

    private static void ThrowUnterminated(string field, int maxLength, CommandStatus status, int available) =>
        throw (available < maxLength
            ? new PduFormatException(status, $"{field} has no terminating NUL before the end of the PDU")
            : new PduFormatException(status, $"{field} is longer than its limit of {maxLength - 1} characters (no NUL within {maxLength} octets)"));

    /// <summary>sm_length then that many octets (SMPP 3.4 §5.2.21).</summary>
    public byte[] ReadShortMessage()
    {
        var length = ReadByte("sm_length");
        if (length > Remaining)
        {
            throw new PduFormatException(CommandStatus.ESME_RINVMSGLEN,
                $"sm_length is {length} but only {Remaining} octets remain in the PDU");
        }
        var message = length == 0 ? Array.Empty<byte>() : _body.Slice(_position, length).ToArray();
        _position += length;
        return message;
    }

    public byte[] ReadRemaining()
    {
        var rest = _body[_position..].ToArray();
        _position = _body.Length;
        return rest;
    }

    public ushort ReadUInt16(string field)
    {
        if (Remaining < 2)
        {
            ThrowTruncated(field, 2, Remaining);
        }

        var value = BinaryPrimitives.ReadUInt16BigEndian(_body[_position..]);
        _position += 2;
        return value;
    }

    /// <summary>Reads every remaining octet as TLVs (SMPP 3.4 §3.2.4), keeping their bytes exactly.</summary>
    public void ReadTlvs(Pdu pdu)
    {
        if (AtEnd)
        {
            return;
        }

        var count = CountTlvs(_body[_position..]);
        // One copy of the TLV area, each value a slice of it, and a list of the exact size: validating the
        // headers first means a PDU of many empty TLVs costs one allocation per kind, not a growing list.
        var area = _body[_position..].ToArray();
        pdu.Tlvs.EnsureCapacity(count);
        var offset = 0;
        while (offset < area.Length)
        {
            var tag = BinaryPrimitives.ReadUInt16BigEndian(area.AsSpan(offset));
            var length = BinaryPrimitives.ReadUInt16BigEndian(area.AsSpan(offset + 2));
            offset += 4;
            pdu.Tlvs.Append(new Tlv(tag, new ReadOnlyMemory<byte>(area, offset, length)));
            offset += length;
        }
        _position = _body.Length;
    }

    private static int CountTlvs(ReadOnlySpan<byte> area)
    {
        var count = 0;
        var offset = 0;
        while (offset < area.Length)
        {
            if (area.Length - offset < 4)
            {
                throw new PduFormatException(CommandStatus.ESME_RINVTLVSTREAM,
                    $"{area.Length - offset} octets after the last TLV are too few for a TLV header (4 octets)");
            }
            var tag = BinaryPrimitives.ReadUInt16BigEndian(area[offset..]);
            var length = BinaryPrimitives.ReadUInt16BigEndian(area[(offset + 2)..]);
            offset += 4;
            if (length > area.Length - offset)
            {
                throw new PduFormatException(CommandStatus.ESME_RINVTLVLEN,
                    $"TLV 0x{tag:X4} declares {length} octets but only {area.Length - offset} remain in the PDU");
            }
            offset += length;
            count++;
        }
        return count;
    }

    /// <summary>
    /// Checks that <paramref name="count"/> entries of at least <paramref name="minOctets"/> each can fit in what is
    /// left, before an array of that many is allocated on the peer's word.
    /// </summary>
    public readonly void EnsureRoomFor(int count, int minOctets, string field, CommandStatus status)
    {
        if ((long)count * minOctets > Remaining)
        {
            throw new PduFormatException(status,
                $"{field} is {count}, but only {Remaining} octets remain (each entry takes at least {minOctets})");
        }
    }

    private static string Latin1(ReadOnlySpan<byte> bytes) =>
        // Fields are ASCII by specification; Latin-1 keeps any stray high octet instead of dropping it.
        Encoding.Latin1.GetString(bytes);

    // Throwing from a helper keeps the readers small enough to inline.
    private static void ThrowTruncated(string field, int needed, int remaining) =>
        throw new PduFormatException(CommandStatus.ESME_RINVCMDLEN, $"the PDU ends before {field} ({needed} octets needed, {remaining} left)");
}
