namespace Instasent.SmppAdapter.Simulator;

/// <summary>A submit_sm the simulator accepted, with the message_id it answered, so tests can assert what arrived.</summary>
public sealed record ReceivedSubmit(
    string MessageId,
    string SystemId,
    long ConnectionId,
    DateTimeOffset ReceivedAt,
    SubmitSm Pdu)
{
    public string SourceAddr => Pdu.SourceAddr;
    public string DestinationAddr => Pdu.DestinationAddr;
    public byte EsmClass => Pdu.EsmClass;
    public byte DataCoding => Pdu.DataCoding;
    public byte RegisteredDelivery => Pdu.RegisteredDelivery;
    public ReadOnlyMemory<byte> ShortMessage => Pdu.ShortMessage;
    public TlvCollection Tlvs => Pdu.Tlvs;
}
