using Instasent.Smpp.Codec;

namespace Instasent.Smpp.Pdus;

/// <summary>The SMSC tells the ESME a mobile became available (SMPP 3.4 §4.12.1). No response PDU exists.</summary>
public sealed class AlertNotification : Pdu
{
    public override CommandId CommandId => CommandId.AlertNotification;

    public Ton SourceAddrTon { get; set; }

    public Npi SourceAddrNpi { get; set; }

    public string SourceAddr { get; set; } = string.Empty;

    public Ton EsmeAddrTon { get; set; }

    public Npi EsmeAddrNpi { get; set; }

    public string EsmeAddr { get; set; } = string.Empty;

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteByte((byte)SourceAddrTon);
        writer.WriteByte((byte)SourceAddrNpi);
        writer.WriteCString(SourceAddr, "source_addr", FieldLimits.AlertAddress);
        writer.WriteByte((byte)EsmeAddrTon);
        writer.WriteByte((byte)EsmeAddrNpi);
        writer.WriteCString(EsmeAddr, "esme_addr", FieldLimits.AlertAddress);
        base.WriteBody(ref writer);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        SourceAddrTon = (Ton)reader.ReadByte("source_addr_ton");
        SourceAddrNpi = (Npi)reader.ReadByte("source_addr_npi");
        SourceAddr = reader.ReadCString("source_addr", FieldLimits.AlertAddress, CommandStatus.ESME_RINVSRCADR);
        EsmeAddrTon = (Ton)reader.ReadByte("esme_addr_ton");
        EsmeAddrNpi = (Npi)reader.ReadByte("esme_addr_npi");
        EsmeAddr = reader.ReadCString("esme_addr", FieldLimits.AlertAddress, CommandStatus.ESME_RINVDSTADR);
        base.ReadBody(ref reader);
    }
}
