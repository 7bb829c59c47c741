using System.Buffers;
using System.Buffers.Binary;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Messages;
using Instasent.Smpp.Text;

namespace Instasent.Smpp.Fuzz;

/// <summary>The contract a fuzz target found broken: the input is a finding even though nothing else threw.</summary>
public sealed class ContractViolationException(string message) : Exception(message);

/// <summary>One fuzz target: feeds arbitrary octets to a public entry point and checks its documented contract.</summary>
public delegate void FuzzTarget(ReadOnlySpan<byte> input);

/// <summary>
/// The fuzz targets, shared by the AFL++ harness and the corpus replay in Instasent.Smpp.Tests. Each uses only the
/// public API, as a peer's bytes reach it. A target throws only when the contract is broken: the code under test threw
/// (anything the documented outcome does not include), or its answer contradicts itself.
/// </summary>
public static class FuzzTargets
{
    public static readonly IReadOnlyDictionary<string, FuzzTarget> All = new Dictionary<string, FuzzTarget>
    {
        ["decode"] = Decode,
        ["read"] = Read,
        ["receipt"] = Receipt,
        ["message"] = Message,
        ["text"] = Text,
    };

    // Decoding a PDU allocates its object, strings and arrays (each at most the PDU's size, strings twice that) and
    // at most one TLV list entry per 4 octets; anything trusting a length from the wire would blow far past this.
    private const long AllocationPerInputOctet = 16;
    private const long AllocationOverhead = 16 * 1024;

    /// <summary>PduCodec.TryDecode: a PDU, or a decode error with a non-zero command_status; nothing else, bounded allocation.</summary>
    public static void Decode(ReadOnlySpan<byte> input)
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ok = PduCodec.TryDecode(input, out var pdu, out var error);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        CheckOutcome(ok, pdu, error);
        if (allocated > AllocationOverhead + AllocationPerInputOctet * input.Length)
        {
            throw new ContractViolationException($"decoding {input.Length} octets allocated {allocated} bytes");
        }
    }

    /// <summary>
    /// PduCodec.TryRead over a stream of PDUs cut into segments (the first octet chooses the cut): each read
    /// consumes a whole frame or nothing, agrees with TryDecode on that frame, and the loop always ends.
    /// </summary>
    public static void Read(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var stream = input[1..].ToArray();
        var buffer = Segments.Split(stream, segmentLength: 1 + input[0] % 32);
        // Every PDU or in-sync error consumes at least a 16-octet header, so this bound is never the one that stops.
        for (var reads = 0; reads <= stream.Length / PduCodec.HeaderLength; reads++)
        {
            var offset = stream.Length - (int)buffer.Length;
            var status = PduCodec.TryRead(ref buffer, out var pdu, out var error);
            var consumed = stream.Length - (int)buffer.Length - offset;
            switch (status)
            {
                case PduReadStatus.NeedMoreData when consumed == 0 && pdu is null && error is null:
                    return;
                case PduReadStatus.Error when error is { StreamInSync: false } && consumed == 0:
                    return;
                case PduReadStatus.Pdu or PduReadStatus.Error when consumed >= PduCodec.HeaderLength:
                    CheckOutcome(status == PduReadStatus.Pdu, pdu, error);
                    var frame = stream.AsSpan(offset, consumed);
                    var framedOk = PduCodec.TryDecode(frame, out var framedPdu, out var framedError);
                    if (framedOk != (status == PduReadStatus.Pdu) || framedPdu?.GetType() != pdu?.GetType() || framedError?.Status != error?.Status)
                    {
                        throw new ContractViolationException($"TryRead gave {status} {pdu?.GetType().Name} {error} but TryDecode of the same frame gave {framedPdu?.GetType().Name} {framedError}");
                    }

                    break;
                default:
                    throw new ContractViolationException($"TryRead returned {status} having consumed {consumed} octets (pdu {pdu?.GetType().Name}, error {error})");
            }
        }
        throw new ContractViolationException("TryRead kept reading past the number of frames the input can hold");
    }

    private static readonly TimeSpan?[] SmscOffsets = [null, TimeSpan.Zero, TimeSpan.FromHours(2), TimeSpan.FromHours(-5), TimeSpan.FromHours(14), TimeSpan.FromHours(-14), new TimeSpan(5, 30, 0), new TimeSpan(-9, -30, 0)];

    /// <summary>
    /// DeliveryReceiptParser.TryParse, both overloads, never throws. Input: esm_class, an options octet (SMSC offset,
    /// which TLVs are present, network_error_code length), message_state, then the short message; with the receipted
    /// id TLV present, the text up to the first NUL is that id and the rest the short message.
    /// </summary>
    public static void Receipt(ReadOnlySpan<byte> input)
    {
        if (input.Length < 3)
        {
            return;
        }

        var esmClass = input[0];
        var options = input[1];
        byte? messageState = (options & 0x08) != 0 ? input[2] : null;
        var rest = input[3..];
        string? receiptedId = null;
        if ((options & 0x10) != 0)
        {
            var nul = rest.IndexOf((byte)0);
            receiptedId = SmsText.Decode(DataCodings.Ia5, nul < 0 ? rest : rest[..nul]);
            rest = nul < 0 ? [] : rest[(nul + 1)..];
        }
        var networkErrorLength = Math.Min((options >> 5) & 0x03, rest.Length);
        var networkErrorCode = rest[..networkErrorLength];
        var shortMessage = rest[networkErrorLength..];
        var parser = new DeliveryReceiptParser(SmscOffsets[options & 0x07]);

        if (parser.TryParse(esmClass, shortMessage, receiptedId, messageState, networkErrorCode, out var fromBytes))
        {
            CheckReceipt(fromBytes);
        }
        // The string overload also sees what an SMSC sending UCS-2 or Latin-9 receipts hands over once decoded.
        var text = SmsText.Decode((options & 0x80) != 0 ? DataCodings.Ucs2 : DataCodings.Latin9, shortMessage);
        if (parser.TryParse(esmClass, text, receiptedId, messageState, networkErrorCode, out var fromText))
        {
            CheckReceipt(fromText);
        }
    }

    private static void CheckReceipt(DeliveryReceipt receipt)
    {
        if (string.IsNullOrEmpty(receipt.MessageId))
        {
            throw new ContractViolationException("TryParse returned true without a message id");
        }
    }

    /// <summary>
    /// UserDataHeader.GetTextOffset and SegmentReassembler.Add over a series of segments, each
    /// [length][esm_class][data_coding][sar: reference, total, seqnum][clock step][short_message of length octets]:
    /// never throws, statuses carry what they promise, and the reassembler stays within its limits.
    /// </summary>
    public static void Message(ReadOnlySpan<byte> input)
    {
        var clock = new SteppingClock();
        var options = new ReassemblyOptions { MaxPendingMessages = 4, MaxSegments = 8, Expiry = TimeSpan.FromSeconds(60) };
        var reassembler = new SegmentReassembler(options, clock, onDropped: _ => { });
        const int SegmentHeader = 8;
        while (input.Length >= SegmentHeader)
        {
            var length = Math.Min(input[0], input.Length - SegmentHeader);
            var esmClass = input[1];
            var dataCoding = input[2];
            SarNumbers? sar = input[3] == 0 ? null : new SarNumbers(BinaryPrimitives.ReadUInt16BigEndian(input[3..]), input[5], input[6]);
            clock.Advance(TimeSpan.FromSeconds(input[7]));
            var shortMessage = input.Slice(SegmentHeader, length);
            input = input[(SegmentHeader + length)..];

            var offset = UserDataHeader.GetTextOffset(esmClass, shortMessage, out _);
            if (offset < 0 || offset > shortMessage.Length)
            {
                throw new ContractViolationException($"text offset {offset} outside a {shortMessage.Length}-octet message");
            }

            var result = reassembler.Add("34600000001", "Instasent", esmClass, dataCoding, shortMessage, sar);
            var whole = result.Status is ReassemblyStatus.Complete or ReassemblyStatus.Rejected;
            if (whole != (result.Payload is not null) || whole != (result.Text is not null))
            {
                throw new ContractViolationException($"{result.Status} with payload {result.Payload?.Length} and text {result.Text?.Length}");
            }

            if (reassembler.PendingCount > options.MaxPendingMessages)
            {
                throw new ContractViolationException($"{reassembler.PendingCount} partial messages held, the limit is {options.MaxPendingMessages}");
            }
        }
        reassembler.RemoveExpired();
    }

    /// <summary>
    /// SmsText.Decode by the first octet's data_coding never throws, and the text it gives survives a re-encoding in
    /// the alphabet chosen for it: decode(encode(text)) is text.
    /// </summary>
    public static void Text(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty)
        {
            return;
        }

        var text = SmsText.Decode(input[0], input[1..]);
        var alphabet = SmsText.ChooseAlphabet(text);
        var again = SmsText.Decode((byte)alphabet, SmsText.Encode(text, alphabet));
        if (again != text)
        {
            throw new ContractViolationException($"data_coding {input[0]}: '{text}' re-encoded as {alphabet} decodes as '{again}'");
        }
    }

    private static void CheckOutcome(bool ok, object? pdu, PduDecodeError? error)
    {
        if (ok ? pdu is null || error is not null : pdu is not null || error is null)
        {
            throw new ContractViolationException($"returned {ok} with pdu {pdu?.GetType().Name ?? "null"} and error {error?.ToString() ?? "null"}");
        }

        if (error is not null && (uint)error.Status == 0)
        {
            throw new ContractViolationException($"a decode error with command_status 0: {error}");
        }
    }

    /// <summary>A clock the input moves forward.</summary>
    private sealed class SteppingClock : TimeProvider
    {
        private DateTimeOffset _now = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public void Advance(TimeSpan step) => _now += step;

        public override DateTimeOffset GetUtcNow() => _now;
    }

    /// <summary>A byte stream as a multi-segment sequence, as a PipeReader hands it over after several socket reads.</summary>
    private sealed class Segments : ReadOnlySequenceSegment<byte>
    {
        private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public static ReadOnlySequence<byte> Split(byte[] bytes, int segmentLength)
        {
            if (bytes.Length <= segmentLength)
            {
                return new ReadOnlySequence<byte>(bytes);
            }

            var first = new Segments(bytes.AsMemory(0, segmentLength), 0);
            var last = first;
            for (var start = segmentLength; start < bytes.Length; start += segmentLength)
            {
                var next = new Segments(bytes.AsMemory(start, Math.Min(segmentLength, bytes.Length - start)), start);
                last.Next = next;
                last = next;
            }
            return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
        }
    }
}
