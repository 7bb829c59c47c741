namespace Instasent.SmppAdapter.Inbound;

/// <summary>
/// One part of a long inbound (MO) message, parked on the internal queue <c>smpp-inbound-parts</c> so the SMSC's
/// deliver_sm is answered as soon as the part is safe on the broker. Internal: not part of the public contract.
/// </summary>
public sealed record InboundSmsPart
{
    /// <summary>Parts of long inbound messages, safe on the broker before the SMSC gets its deliver_sm_resp.</summary>
    public const string QueueName = "smpp-inbound-parts";

    public required string Connection { get; init; }
    public required string SourceAddr { get; init; }
    public required string DestinationAddr { get; init; }
    public required byte EsmClass { get; init; }
    public required byte DataCoding { get; init; }

    /// <summary>short_message as received, UDH included.</summary>
    public required byte[] ShortMessage { get; init; }

    public ushort? SarMsgRefNum { get; init; }
    public byte? SarTotalSegments { get; init; }
    public byte? SarSegmentSeqnum { get; init; }
    public string? SmscMessageId { get; init; }
    public required DateTimeOffset ReceivedAt { get; init; }
}
