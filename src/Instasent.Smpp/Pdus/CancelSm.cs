using Instasent.Smpp.Codec;

namespace Instasent.Smpp.Pdus;

/// <summary>Cancel one or more pending messages (SMPP 3.4 §4.9.1).</summary>
public sealed class CancelSm : Pdu
{
    public override CommandId CommandId => CommandId.CancelSm;

    public string ServiceType { get; set; } = string.Empty;

    public string MessageId { get; set; } = string.Empty;

    public Ton SourceAddrTon { get; set; }

    public Npi SourceAddrNpi { get; set; }

    public string SourceAddr { get; set; } = string.Empty;

    public Ton DestAddrTon { get; set; }

    public Npi DestAddrNpi { get; set; }

    public string DestinationAddr { get; set; } = string.Empty;

    public override Pdu CreateResponse(CommandStatus status = CommandStatus.ESME_ROK) => Answer(new CancelSmResp(), status);

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(ServiceType, "service_type", FieldLimits.ServiceType);
        writer.WriteCString(MessageId, "message_id", FieldLimits.MessageId);
        writer.WriteByte((byte)SourceAddrTon);
        writer.WriteByte((byte)SourceAddrNpi);
        writer.WriteCString(SourceAddr, "source_addr", FieldLimits.Address);
        writer.WriteByte((byte)DestAddrTon);
        writer.WriteByte((byte)DestAddrNpi);
        writer.WriteCString(DestinationAddr, "destination_addr", FieldLimits.Address);
        base.WriteBody(ref writer);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        ServiceType = reader.ReadCString("service_type", FieldLimits.ServiceType, CommandStatus.ESME_RINVSERTYP);
        MessageId = reader.ReadCString("message_id", FieldLimits.MessageId, CommandStatus.ESME_RINVMSGID);
        SourceAddrTon = (Ton)reader.ReadByte("source_addr_ton");
        SourceAddrNpi = (Npi)reader.ReadByte("source_addr_npi");
        SourceAddr = reader.ReadCString("source_addr", FieldLimits.Address, CommandStatus.ESME_RINVSRCADR);
        DestAddrTon = (Ton)reader.ReadByte("dest_addr_ton");
        DestAddrNpi = (Npi)reader.ReadByte("dest_addr_npi");
        DestinationAddr = reader.ReadCString("destination_addr", FieldLimits.Address, CommandStatus.ESME_RINVDSTADR);
        base.ReadBody(ref reader);
    }
}
