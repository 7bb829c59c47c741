using Instasent.Smpp.Codec;

namespace Instasent.Smpp.Pdus;

/// <summary>Replace a pending message (SMPP 3.4 §4.10.1; SMPP 5.0 allows message_payload as a TLV).</summary>
public sealed class ReplaceSm : Pdu
{
    public override CommandId CommandId => CommandId.ReplaceSm;

    public string MessageId { get; set; } = string.Empty;

    public Ton SourceAddrTon { get; set; }

    public Npi SourceAddrNpi { get; set; }

    public string SourceAddr { get; set; } = string.Empty;

    public string ScheduleDeliveryTime { get; set; } = string.Empty;

    public string ValidityPeriod { get; set; } = string.Empty;

    public byte RegisteredDelivery { get; set; }

    public byte SmDefaultMsgId { get; set; }

    public ReadOnlyMemory<byte> ShortMessage { get; set; }

    public override Pdu CreateResponse(CommandStatus status = CommandStatus.ESME_ROK) => Answer(new ReplaceSmResp(), status);

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(MessageId, "message_id", FieldLimits.MessageId);
        writer.WriteByte((byte)SourceAddrTon);
        writer.WriteByte((byte)SourceAddrNpi);
        writer.WriteCString(SourceAddr, "source_addr", FieldLimits.Address);
        writer.WriteCString(ScheduleDeliveryTime, "schedule_delivery_time", FieldLimits.DateTime);
        writer.WriteCString(ValidityPeriod, "validity_period", FieldLimits.DateTime);
        writer.WriteByte(RegisteredDelivery);
        writer.WriteByte(SmDefaultMsgId);
        writer.WriteShortMessage(ShortMessage.Span);
        base.WriteBody(ref writer);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        MessageId = reader.ReadCString("message_id", FieldLimits.MessageId, CommandStatus.ESME_RINVMSGID);
        SourceAddrTon = (Ton)reader.ReadByte("source_addr_ton");
        SourceAddrNpi = (Npi)reader.ReadByte("source_addr_npi");
        SourceAddr = reader.ReadCString("source_addr", FieldLimits.Address, CommandStatus.ESME_RINVSRCADR);
        ScheduleDeliveryTime = reader.ReadCString("schedule_delivery_time", FieldLimits.DateTime, CommandStatus.ESME_RINVSCHED);
        ValidityPeriod = reader.ReadCString("validity_period", FieldLimits.DateTime, CommandStatus.ESME_RINVEXPIRY);
        RegisteredDelivery = reader.ReadByte("registered_delivery");
        SmDefaultMsgId = reader.ReadByte("sm_default_msg_id");
        ShortMessage = reader.ReadShortMessage();
        base.ReadBody(ref reader);
    }
}
