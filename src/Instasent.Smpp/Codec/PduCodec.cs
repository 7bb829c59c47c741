using System.Buffers;
using System.Buffers.Binary;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Codec;

/// <summary>The outcome of reading one PDU from a buffer.</summary>
public enum PduReadStatus
{
    /// <summary>Not a whole PDU yet: read more bytes and try again.</summary>
    NeedMoreData,

    /// <summary>One PDU was read and consumed from the buffer.</summary>
    Pdu,

    /// <summary>
    /// The bytes are not a valid PDU. When the error says the stream is in sync, the bad PDU was consumed and the
    /// next one can be read; otherwise nothing was consumed and the connection must be closed.
    /// </summary>
    Error,
}

/// <summary>
/// Bytes ⇄ PDUs (SMPP 3.4 §3.2): encoding into an <see cref="IBufferWriter{T}"/> or a span, decoding whole PDUs,
/// and framing them out of a stream (a <c>PipeReader</c>'s <see cref="ReadOnlySequence{T}"/>).
/// Decoding never throws on bad input and never allocates more than the PDU's own, bounded, length.
/// </summary>
public static class PduCodec
{
    public const int HeaderLength = 16;

    /// <summary>Default upper bound on command_length: 64 KiB, well above any PDU the adapter expects.</summary>
    public const int DefaultMaxCommandLength = 64 * 1024;

    /// <summary>The encoded size of <paramref name="pdu"/>; validates every field (throws <see cref="PduFieldException"/>).</summary>
    public static int GetEncodedLength(Pdu pdu) => Write(pdu, default);

    /// <summary>Writes <paramref name="pdu"/> into <paramref name="destination"/>; returns the octets written.</summary>
    public static int Encode(Pdu pdu, Span<byte> destination)
    {
        var length = Write(pdu, destination);
        if (length > destination.Length)
        {
            throw new ArgumentException($"destination holds {destination.Length} octets; the PDU needs {length}", nameof(destination));
        }

        return length;
    }

    /// <summary>
    /// Writes <paramref name="pdu"/> into a buffer writer (a <c>PipeWriter</c>, a pooled buffer ...). Nothing is
    /// advanced when a field is invalid.
    /// </summary>
    public static int Encode(Pdu pdu, IBufferWriter<byte> output)
    {
        // Usually the PDU fits in the space already free, and one pass writes it; otherwise that pass measured it.
        var span = output.GetSpan();
        var length = Write(pdu, span);
        if (length > span.Length)
        {
            Write(pdu, output.GetSpan(length));
        }

        output.Advance(length);
        return length;
    }

    public static byte[] Encode(Pdu pdu)
    {
        var bytes = new byte[GetEncodedLength(pdu)];
        Write(pdu, bytes);
        return bytes;
    }

    /// <summary>
    /// The body first, then the header once command_length is known. Returns the PDU's length; when that exceeds
    /// <paramref name="destination"/>, the pass only measured and validated.
    /// </summary>
    private static int Write(Pdu pdu, Span<byte> destination)
    {
        var writer = new PduWriter(destination);
        writer.Skip(HeaderLength);
        pdu.WriteBody(ref writer);
        var length = writer.Position;
        if (writer.Fits)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, (uint)length);
            BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)pdu.CommandId);
            BinaryPrimitives.WriteUInt32BigEndian(destination[8..], (uint)pdu.CommandStatus);
            BinaryPrimitives.WriteUInt32BigEndian(destination[12..], pdu.SequenceNumber);
        }
        return length;
    }

    /// <summary>Decodes one whole PDU (header included). Never throws on bad bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out Pdu? pdu, out PduDecodeError? error, int maxCommandLength = DefaultMaxCommandLength)
    {
        pdu = null;
        if (bytes.Length < HeaderLength)
        {
            error = new PduDecodeError(CommandStatus.ESME_RINVCMDLEN, $"{bytes.Length} octets is shorter than the 16-octet header", false, null, null);
            return false;
        }
        var commandLength = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        var commandIdValue = BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]);
        var sequence = BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]);
        if (CheckLength(commandLength, maxCommandLength) is { } reason)
        {
            error = new PduDecodeError(CommandStatus.ESME_RINVCMDLEN, reason, false, commandIdValue, sequence);
            return false;
        }
        if (commandLength != bytes.Length)
        {
            error = new PduDecodeError(CommandStatus.ESME_RINVCMDLEN,
                $"command_length is {commandLength} but {bytes.Length} octets were given", false, commandIdValue, sequence);
            return false;
        }
        return TryDecodeFramed(bytes, out pdu, out error);
    }

    /// <summary>
    /// Reads one PDU from the front of <paramref name="buffer"/> and slices it off. See <see cref="PduReadStatus"/>
    /// for what happens to the buffer in each case.
    /// </summary>
    public static PduReadStatus TryRead(ref ReadOnlySequence<byte> buffer, out Pdu? pdu, out PduDecodeError? error, int maxCommandLength = DefaultMaxCommandLength)
    {
        pdu = null;
        error = null;
        if (buffer.Length < 4)
        {
            return PduReadStatus.NeedMoreData;
        }

        Span<byte> header = stackalloc byte[HeaderLength];
        var available = (int)Math.Min(buffer.Length, HeaderLength);
        buffer.Slice(0, available).CopyTo(header);
        var commandLength = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (CheckLength(commandLength, maxCommandLength) is { } reason)
        {
            // A length we cannot trust means we cannot find the next PDU either: the stream is lost.
            uint? id = available >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(header[4..]) : null;
            uint? seq = available >= 16 ? BinaryPrimitives.ReadUInt32BigEndian(header[12..]) : null;
            error = new PduDecodeError(CommandStatus.ESME_RINVCMDLEN, reason, false, id, seq);
            return PduReadStatus.Error;
        }
        if (buffer.Length < commandLength)
        {
            return PduReadStatus.NeedMoreData;
        }

        var frame = buffer.Slice(0, commandLength);
        bool ok;
        if (frame.IsSingleSegment)
        {
            ok = TryDecodeFramed(frame.FirstSpan, out pdu, out error);
        }
        else
        {
            var rented = ArrayPool<byte>.Shared.Rent((int)commandLength);
            try
            {
                frame.CopyTo(rented);
                ok = TryDecodeFramed(rented.AsSpan(0, (int)commandLength), out pdu, out error);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
        buffer = buffer.Slice(commandLength);
        return ok ? PduReadStatus.Pdu : PduReadStatus.Error;
    }

    private static string? CheckLength(uint commandLength, int maxCommandLength) =>
        commandLength < HeaderLength
            ? $"command_length is {commandLength}; the header alone is 16 octets"
            : commandLength > maxCommandLength
                ? $"command_length is {commandLength}; this session accepts at most {maxCommandLength}"
                : null;

    // bytes is exactly one PDU whose command_length has been checked.
    private static bool TryDecodeFramed(ReadOnlySpan<byte> bytes, out Pdu? pdu, out PduDecodeError? error)
    {
        var commandIdValue = BinaryPrimitives.ReadUInt32BigEndian(bytes[4..]);
        var status = BinaryPrimitives.ReadUInt32BigEndian(bytes[8..]);
        var sequence = BinaryPrimitives.ReadUInt32BigEndian(bytes[12..]);
        pdu = Create((CommandId)commandIdValue);
        if (pdu is null)
        {
            error = new PduDecodeError(CommandStatus.ESME_RINVCMDID, $"command_id 0x{commandIdValue:X8} is not an SMPP command", true, commandIdValue, sequence);
            return false;
        }
        pdu.CommandStatus = (CommandStatus)status;
        pdu.SequenceNumber = sequence;
        try
        {
            var reader = new PduReader(bytes[HeaderLength..]);
            pdu.ReadBody(ref reader);
            error = null;
            return true;
        }
        catch (PduFormatException e)
        {
            pdu = null;
            error = new PduDecodeError(e.Status, e.Message, true, commandIdValue, sequence);
            return false;
        }
    }

    /// <summary>An empty PDU of the type for <paramref name="id"/>, or null when SMPP does not define it.</summary>
    public static Pdu? Create(CommandId id) => id switch
    {
        CommandId.GenericNack => new GenericNack(),
        CommandId.BindReceiver => new BindReceiver(),
        CommandId.BindReceiverResp => new BindReceiverResp(),
        CommandId.BindTransmitter => new BindTransmitter(),
        CommandId.BindTransmitterResp => new BindTransmitterResp(),
        CommandId.BindTransceiver => new BindTransceiver(),
        CommandId.BindTransceiverResp => new BindTransceiverResp(),
        CommandId.Outbind => new Outbind(),
        CommandId.QuerySm => new QuerySm(),
        CommandId.QuerySmResp => new QuerySmResp(),
        CommandId.SubmitSm => new SubmitSm(),
        CommandId.SubmitSmResp => new SubmitSmResp(),
        CommandId.DeliverSm => new DeliverSm(),
        CommandId.DeliverSmResp => new DeliverSmResp(),
        CommandId.Unbind => new Unbind(),
        CommandId.UnbindResp => new UnbindResp(),
        CommandId.ReplaceSm => new ReplaceSm(),
        CommandId.ReplaceSmResp => new ReplaceSmResp(),
        CommandId.CancelSm => new CancelSm(),
        CommandId.CancelSmResp => new CancelSmResp(),
        CommandId.EnquireLink => new EnquireLink(),
        CommandId.EnquireLinkResp => new EnquireLinkResp(),
        CommandId.SubmitMulti => new SubmitMulti(),
        CommandId.SubmitMultiResp => new SubmitMultiResp(),
        CommandId.AlertNotification => new AlertNotification(),
        CommandId.DataSm => new DataSm(),
        CommandId.DataSmResp => new DataSmResp(),
        _ when CommandIds.IsKnown((uint)id) => new RawPdu(id),
        _ => null,
    };
}
