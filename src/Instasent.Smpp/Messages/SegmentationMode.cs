namespace Instasent.Smpp.Messages;

/// <summary>How a text longer than one short_message is sent (configuration key <c>Segmentation</c>).</summary>
public enum SegmentationMode
{
    /// <summary>UDH with the 8-bit reference concatenation IE 0x00 (6-octet UDH), esm_class UDHI.</summary>
    Udh8,

    /// <summary>UDH with the 16-bit reference concatenation IE 0x08 (7-octet UDH), esm_class UDHI.</summary>
    Udh16,

    /// <summary>The whole text in the message_payload TLV; the SMSC segments it.</summary>
    MessagePayload,

    /// <summary>sar_msg_ref_num / sar_total_segments / sar_segment_seqnum TLVs (SMPP 3.4 §5.3.2.22-24), no UDH.</summary>
    Sar,
}
