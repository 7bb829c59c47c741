using Instasent.Smpp.Codec;

namespace Instasent.Smpp.Pdus;

/// <summary>Data transfer in either direction, the payload in TLVs (SMPP 3.4 §4.7.1).</summary>
public sealed class DataSm : Pdu
{
    public override CommandId CommandId => CommandId.DataSm;

    public string ServiceType { get; set; } = string.Empty;

    public Ton SourceAddrTon { get; set; }

    public Npi SourceAddrNpi { get; set; }

    public string SourceAddr { get; set; } = string.Empty;

    public Ton DestAddrTon { get; set; }

    public Npi DestAddrNpi { get; set; }

    public string DestinationAddr { get; set; } = string.Empty;

    public byte EsmClass { get; set; }

    public byte RegisteredDelivery { get; set; }

    public byte DataCoding { get; set; }

    public override Pdu CreateResponse(CommandStatus status = CommandStatus.ESME_ROK) => Answer(new DataSmResp(), status);

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(ServiceType, "service_type", FieldLimits.ServiceType);
        writer.WriteByte((byte)SourceAddrTon);
        writer.WriteByte((byte)SourceAddrNpi);
        // data_sm addresses may be up to 64 characters (SMPP 3.4 §4.7.1).
        writer.WriteCString(SourceAddr, "source_addr", FieldLimits.AlertAddress);
        writer.WriteByte((byte)DestAddrTon);
        writer.WriteByte((byte)DestAddrNpi);
        writer.WriteCString(DestinationAddr, "destination_addr", FieldLimits.AlertAddress);
        writer.WriteByte(EsmClass);
        writer.WriteByte(RegisteredDelivery);
        writer.WriteByte(DataCoding);
        base.WriteBody(ref writer);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        ServiceType = reader.ReadCString("service_type", FieldLimits.ServiceType, CommandStatus.ESME_RINVSERTYP);
        SourceAddrTon = (Ton)reader.ReadByte("source_addr_ton");
        SourceAddrNpi = (Npi)reader.ReadByte("source_addr_npi");
        SourceAddr = reader.ReadCString("source_addr", FieldLimits.AlertAddress, CommandStatus.ESME_RINVSRCADR);
        DestAddrTon = (Ton)reader.ReadByte("dest_addr_ton");
        DestAddrNpi = (Npi)reader.ReadByte("dest_addr_npi");
        DestinationAddr = reader.ReadCString("destination_addr", FieldLimits.AlertAddress, CommandStatus.ESME_RINVDSTADR);
        EsmClass = reader.ReadByte("esm_class");
        RegisteredDelivery = reader.ReadByte("registered_delivery");
        DataCoding = reader.ReadByte("data_coding");
        base.ReadBody(ref reader);
    }
}

public sealed class DataSmResp : MessageIdResponse
{
    public override CommandId CommandId => CommandId.DataSmResp;
}
