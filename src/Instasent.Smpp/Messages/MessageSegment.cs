using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Messages;

/// <summary>
/// One submit_sm worth of a message. <see cref="WriteTo"/> maps it into a PDU: <see cref="Bytes"/> into short_message (or
/// into the message_payload TLV when <see cref="InMessagePayload"/>), <see cref="EsmClassFlags"/> OR-ed into esm_class,
/// <see cref="DataCoding"/> into data_coding, and when <see cref="Sar"/> is set its three numbers into the sar_* TLVs.
/// </summary>
public sealed class MessageSegment
{
    /// <summary>SMPP 3.4 §5.2.12: esm_class bit 6, the UDH indicator.</summary>
    public const byte UdhIndicatorFlag = 0x40;

    internal MessageSegment(ReadOnlyMemory<byte> bytes, int number, int total, byte dataCoding, bool udh, bool inPayload, SarNumbers? sar)
    {
        Bytes = bytes;
        Number = number;
        Total = total;
        DataCoding = dataCoding;
        UdhIndicator = udh;
        InMessagePayload = inPayload;
        Sar = sar;
    }

    /// <summary>The octets to send, UDH included in UDH modes; GSM text is unpacked (one septet per octet).</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    /// <summary>1-based position of this segment.</summary>
    public int Number { get; }

    /// <summary>Segments in the message.</summary>
    public int Total { get; }

    /// <summary>The data_coding value for this submit_sm.</summary>
    public byte DataCoding { get; }

    /// <summary>True when <see cref="Bytes"/> starts with a UDH, so esm_class needs UDHI (0x40).</summary>
    public bool UdhIndicator { get; }

    /// <summary>Bits to OR into esm_class: 0x40 with a UDH, else 0.</summary>
    public byte EsmClassFlags => UdhIndicator ? UdhIndicatorFlag : (byte)0;

    /// <summary>True when <see cref="Bytes"/> belongs in the message_payload TLV and short_message stays empty.</summary>
    public bool InMessagePayload { get; }

    /// <summary>The SAR TLV values in <see cref="SegmentationMode.Sar"/> mode for a multi-segment message, else null.</summary>
    public SarNumbers? Sar { get; }

    /// <summary>
    /// Puts this segment into <paramref name="pdu"/> (a submit_sm or deliver_sm): esm_class flags, data_coding, the
    /// octets in short_message or message_payload, and the SAR TLVs when there are any.
    /// </summary>
    public void WriteTo(ShortMessagePdu pdu)
    {
        ArgumentNullException.ThrowIfNull(pdu);
        pdu.EsmClass |= EsmClassFlags;
        pdu.DataCoding = DataCoding;
        if (InMessagePayload)
        {
            // SMPP 3.4 §5.3.2.32: short_message must then be empty.
            pdu.Tlvs.MessagePayload = Bytes;
        }
        else
        {
            pdu.ShortMessage = Bytes;
        }
        if (Sar is { } sar)
        {
            pdu.Tlvs.SarMsgRefNum = sar.MsgRefNum;
            pdu.Tlvs.SarTotalSegments = sar.TotalSegments;
            pdu.Tlvs.SarSegmentSeqnum = sar.SegmentSeqnum;
        }
    }
}

/// <summary>Values for the SAR TLVs (SMPP 3.4 §5.3.2.22-24): sar_msg_ref_num, sar_total_segments, sar_segment_seqnum.</summary>
public readonly record struct SarNumbers(ushort MsgRefNum, byte TotalSegments, byte SegmentSeqnum);

/// <summary>A text cut into the submit_sm's that carry it.</summary>
public sealed class SegmentedMessage
{
    internal SegmentedMessage(Text.SmsAlphabet alphabet, SegmentationMode mode, IReadOnlyList<MessageSegment> segments)
    {
        Alphabet = alphabet;
        Mode = mode;
        Segments = segments;
    }

    /// <summary>The alphabet the text was encoded in.</summary>
    public Text.SmsAlphabet Alphabet { get; }

    /// <summary>The mode the segments follow.</summary>
    public SegmentationMode Mode { get; }

    /// <summary>The segments, in order; one when the text fits one short_message (no UDH, no SAR).</summary>
    public IReadOnlyList<MessageSegment> Segments { get; }
}
