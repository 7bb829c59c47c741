using System.Buffers.Binary;
using Instasent.Smpp.Text;

namespace Instasent.Smpp.Messages;

/// <summary>
/// Cuts a text into submit_sm segments (3GPP TS 23.040 §9.2.3.24.1 / .8 for the UDH concatenation IEs, SMPP 3.4
/// §5.3.2.22-24 for SAR). Never splits a GSM escape pair or a UTF-16 surrogate pair. Capacities per segment:
/// <list type="bullet">
/// <item>one segment (no UDH), and every SAR segment: 160 septets / 140 Latin-9 chars / 70 UCS-2 units;</item>
/// <item>UDH with 8-bit reference (6 octets): 153 / 134 / 67;</item>
/// <item>UDH with 16-bit reference (7 octets): 152 / 133 / 66.</item>
/// </list>
/// Typical use: <c>CountSegments</c>; when above 1 rent a reference from <see cref="ConcatReferenceAllocator"/>;
/// <c>Split</c>; release the reference when every segment has its submit_sm_resp.
/// </summary>
public static class MessageSplitter
{
    /// <summary>SMPP 3.4 §5.2.21 / TS 23.040: user data of one SMS is at most 140 octets.</summary>
    public const int MaxUserDataOctets = 140;

    /// <summary>SMPP 3.4 §5.3.2.32: message_payload holds at most 64K octets.</summary>
    public const int MaxMessagePayloadOctets = 65535;

    /// <summary>sar_total_segments and the UDH total are one octet.</summary>
    public const int MaxSegmentsLimit = 255;

    /// <summary>UDH octets a mode adds to each segment: 6 (UDHL, IEI 0x00, IEL 3, ref, total, seq), 7 for 16-bit refs, else 0.</summary>
    public static int UdhLength(SegmentationMode mode) => mode switch
    {
        SegmentationMode.Udh8 => 6,
        SegmentationMode.Udh16 => 7,
        _ => 0,
    };

    /// <summary>Units (septets, Latin-9 chars, UTF-16 units) that fit one short_message next to <paramref name="udhOctets"/> of UDH.</summary>
    public static int GetCapacity(SmsAlphabet alphabet, int udhOctets) => alphabet switch
    {
        // The UDH is septet-aligned with fill bits (TS 23.040 §9.2.3.24): 6 octets take 7 septets, 7 take 8.
        SmsAlphabet.Gsm7 => 160 - (udhOctets * 8 + 6) / 7,
        SmsAlphabet.Latin9 => MaxUserDataOctets - udhOctets,
        _ => (MaxUserDataOctets - udhOctets) / 2,
    };

    /// <summary>Units per segment once a text needs more than one (MessagePayload counts as the SMSC would with Udh8).</summary>
    public static int GetSegmentCapacity(SmsAlphabet alphabet, SegmentationMode mode) =>
        GetCapacity(alphabet, mode == SegmentationMode.MessagePayload ? UdhLength(SegmentationMode.Udh8) : UdhLength(mode));

    /// <summary>
    /// Segments <paramref name="text"/> needs, without allocating. For <see cref="SegmentationMode.MessagePayload"/> this is
    /// the count the SMSC will produce (8-bit UDH sizes). Throws <see cref="UnencodableCharacterException"/> when the text
    /// does not fit <paramref name="alphabet"/>.
    /// </summary>
    public static int CountSegments(ReadOnlySpan<char> text, SmsAlphabet alphabet, SegmentationMode mode)
    {
        var units = SmsText.GetUnitCount(text, alphabet);
        return units <= GetCapacity(alphabet, 0) ? 1 : Walk(text, alphabet, GetSegmentCapacity(alphabet, mode), [], int.MaxValue);
    }

    /// <summary>
    /// Encodes and splits <paramref name="text"/>. <paramref name="alphabet"/> null chooses GSM 7-bit when it fits, else UCS-2.
    /// <paramref name="reference"/> goes into the UDH (at most 255 for Udh8) or sar_msg_ref_num; unused for one segment.
    /// Throws <see cref="UnencodableCharacterException"/> or <see cref="MessageTooLongException"/> (more than
    /// <paramref name="maxSegments"/> segments, or a message_payload over 65535 octets).
    /// </summary>
    public static SegmentedMessage Split(ReadOnlySpan<char> text, SmsAlphabet? alphabet, SegmentationMode mode, ushort reference, int maxSegments = MaxSegmentsLimit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSegments, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxSegments, MaxSegmentsLimit);
        if (mode == SegmentationMode.Udh8 && reference > byte.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(reference), reference, "An 8-bit concatenation reference (Udh8) must be 0..255.");
        }
        var chosen = alphabet ?? SmsText.ChooseAlphabet(text);
        var dataCoding = chosen.ToDataCoding();
        var units = SmsText.GetUnitCount(text, chosen);
        var octets = units * SmsText.OctetsPerUnit(chosen);

        if (units <= GetCapacity(chosen, 0))
        {
            var single = new byte[octets];
            SmsText.Encode(text, chosen, single);
            return new SegmentedMessage(chosen, mode, [new MessageSegment(single, 1, 1, dataCoding, false, false, null)]);
        }

        var capacity = GetSegmentCapacity(chosen, mode);
        Span<int> ends = stackalloc int[maxSegments];
        var count = Walk(text, chosen, capacity, ends, maxSegments);
        if (count > maxSegments)
        {
            throw TooLong(text, chosen, mode, units, capacity, maxSegments);
        }

        if (mode == SegmentationMode.MessagePayload)
        {
            if (octets > MaxMessagePayloadOctets)
            {
                throw new MessageTooLongException($"Text needs {octets} octets in {chosen}; message_payload holds at most {MaxMessagePayloadOctets}.");
            }
            var payload = new byte[octets];
            SmsText.Encode(text, chosen, payload);
            return new SegmentedMessage(chosen, mode, [new MessageSegment(payload, 1, 1, dataCoding, false, true, null)]);
        }

        var udh = UdhLength(mode);
        var buffer = new byte[octets + count * udh];
        var segments = new MessageSegment[count];
        var start = 0;
        var offset = 0;
        for (var i = 0; i < count; i++)
        {
            var segmentStart = offset;
            var total = (byte)count;
            var seq = (byte)(i + 1);
            offset += WriteUdh(buffer.AsSpan(offset), mode, reference, total, seq);
            offset += SmsText.Encode(text[start..ends[i]], chosen, buffer.AsSpan(offset));
            var sar = mode == SegmentationMode.Sar ? new SarNumbers(reference, total, seq) : (SarNumbers?)null;
            segments[i] = new MessageSegment(buffer.AsMemory(segmentStart, offset - segmentStart), i + 1, count, dataCoding, udh > 0, false, sar);
            start = ends[i];
        }
        return new SegmentedMessage(chosen, mode, segments);
    }

    /// <summary>
    /// Walks the text in atoms (a character, or a surrogate pair which is never split) and closes a segment whenever the
    /// next atom would overflow <paramref name="capacity"/>. Records segment end indexes into <paramref name="ends"/>
    /// while there is room and stops counting once above <paramref name="stopAbove"/>.
    /// </summary>
    private static int Walk(ReadOnlySpan<char> text, SmsAlphabet alphabet, int capacity, Span<int> ends, int stopAbove)
    {
        var count = 0;
        var used = 0;
        for (var i = 0; i < text.Length;)
        {
            var atom = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            // A GSM extension character costs 2 septets and stays whole with its escape; a surrogate pair costs 2 units.
            var cost = alphabet == SmsAlphabet.Ucs2 ? atom : SmsText.UnitsOf(text[i], alphabet);
            if (used + cost > capacity)
            {
                if (count < ends.Length)
                {
                    ends[count] = i;
                }
                if (++count > stopAbove)
                {
                    return count;
                }
                used = 0;
            }
            used += cost;
            i += atom;
        }
        if (count < ends.Length)
        {
            ends[count] = text.Length;
        }
        return count + 1;
    }

    private static int WriteUdh(Span<byte> destination, SegmentationMode mode, ushort reference, byte total, byte seq)
    {
        switch (mode)
        {
            case SegmentationMode.Udh8:
                // TS 23.040 §9.2.3.24.1: IEI 0x00, length 3, reference, total, sequence.
                destination[0] = 5;
                destination[1] = 0x00;
                destination[2] = 3;
                destination[3] = (byte)reference;
                destination[4] = total;
                destination[5] = seq;
                return 6;
            case SegmentationMode.Udh16:
                // TS 23.040 §9.2.3.24.8: IEI 0x08, length 4, reference (big-endian), total, sequence.
                destination[0] = 6;
                destination[1] = 0x08;
                destination[2] = 4;
                BinaryPrimitives.WriteUInt16BigEndian(destination[3..], reference);
                destination[5] = total;
                destination[6] = seq;
                return 7;
            default:
                return 0;
        }
    }

    private static MessageTooLongException TooLong(ReadOnlySpan<char> text, SmsAlphabet alphabet, SegmentationMode mode, int units, int capacity, int maxSegments)
    {
        var needed = Walk(text, alphabet, capacity, [], int.MaxValue);
        var unit = alphabet switch { SmsAlphabet.Gsm7 => "septets", SmsAlphabet.Latin9 => "characters", _ => "UTF-16 units" };
        return new MessageTooLongException(
            $"Text of {units} {unit} needs {needed} segments of up to {capacity} {unit} ({alphabet}, {mode}); MaxSegments is {maxSegments}.");
    }
}
