using Instasent.Smpp.Codec;

namespace Instasent.Smpp.Pdus;

/// <summary>Ask the SMSC for the state of a submitted message (SMPP 3.4 §4.8.1).</summary>
public sealed class QuerySm : Pdu
{
    public override CommandId CommandId => CommandId.QuerySm;

    public string MessageId { get; set; } = string.Empty;

    public Ton SourceAddrTon { get; set; }

    public Npi SourceAddrNpi { get; set; }

    public string SourceAddr { get; set; } = string.Empty;

    public override Pdu CreateResponse(CommandStatus status = CommandStatus.ESME_ROK) => Answer(new QuerySmResp { MessageId = MessageId }, status);

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(MessageId, "message_id", FieldLimits.MessageId);
        writer.WriteByte((byte)SourceAddrTon);
        writer.WriteByte((byte)SourceAddrNpi);
        writer.WriteCString(SourceAddr, "source_addr", FieldLimits.Address);
        base.WriteBody(ref writer);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        MessageId = reader.ReadCString("message_id", FieldLimits.MessageId, CommandStatus.ESME_RINVMSGID);
        SourceAddrTon = (Ton)reader.ReadByte("source_addr_ton");
        SourceAddrNpi = (Npi)reader.ReadByte("source_addr_npi");
        SourceAddr = reader.ReadCString("source_addr", FieldLimits.Address, CommandStatus.ESME_RINVSRCADR);
        base.ReadBody(ref reader);
    }
}

/// <summary>SMPP 3.4 §4.8.2.</summary>
public sealed class QuerySmResp : Pdu
{
    public override CommandId CommandId => CommandId.QuerySmResp;

    public string MessageId { get; set; } = string.Empty;

    public string FinalDate { get; set; } = string.Empty;

    /// <summary>message_state values of SMPP 3.4 §5.2.28 (1 ENROUTE .. 8 REJECTED).</summary>
    public byte MessageState { get; set; }

    public byte ErrorCode { get; set; }

    internal override void WriteBody(ref PduWriter writer)
    {
        if (CommandStatus != CommandStatus.ESME_ROK && MessageId.Length == 0)
        {
            return;
        }

        writer.WriteCString(MessageId, "message_id", FieldLimits.MessageId);
        writer.WriteCString(FinalDate, "final_date", FieldLimits.DateTime);
        writer.WriteByte(MessageState);
        writer.WriteByte(ErrorCode);
        base.WriteBody(ref writer);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        if (reader.AtEnd)
        {
            return;
        }

        MessageId = reader.ReadCString("message_id", FieldLimits.MessageId, CommandStatus.ESME_RINVMSGID);
        FinalDate = reader.ReadCString("final_date", FieldLimits.DateTime, CommandStatus.ESME_RINVCMDLEN);
        MessageState = reader.ReadByte("message_state");
        ErrorCode = reader.ReadByte("error_code");
        base.ReadBody(ref reader);
    }
}
