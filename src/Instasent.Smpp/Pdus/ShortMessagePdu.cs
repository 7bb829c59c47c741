using Instasent.Smpp.Codec;

namespace Instasent.Smpp.Pdus;

/// <summary>The body submit_sm and deliver_sm share (SMPP 3.4 §4.4.1 and §4.6.1).</summary>
public abstract class ShortMessagePdu : Pdu
{
    public string ServiceType { get; set; } = string.Empty;

    public Ton SourceAddrTon { get; set; }

    public Npi SourceAddrNpi { get; set; }

    public string SourceAddr { get; set; } = string.Empty;

    public Ton DestAddrTon { get; set; }

    public Npi DestAddrNpi { get; set; }

    public string DestinationAddr { get; set; } = string.Empty;

    /// <summary>Bit 6 (0x40) marks a UDH in short_message; bits 5-2 the message type (see <see cref="Pdus.EsmClass"/>).</summary>
    public byte EsmClass { get; set; }

    public byte ProtocolId { get; set; }

    public byte PriorityFlag { get; set; }

    /// <summary>SMPP time format (§7.1.1): absolute <c>YYMMDDhhmmsstnnp</c> or relative <c>...R</c>; empty for immediate.</summary>
    public string ScheduleDeliveryTime { get; set; } = string.Empty;

    public string ValidityPeriod { get; set; } = string.Empty;

    public byte RegisteredDelivery { get; set; }

    public byte ReplaceIfPresentFlag { get; set; }

    public byte DataCoding { get; set; }

    public byte SmDefaultMsgId { get; set; }

    /// <summary>Up to 254 octets, UDH included when <see cref="EsmClass"/> has 0x40; longer text goes in message_payload.</summary>
    public ReadOnlyMemory<byte> ShortMessage { get; set; }

    public bool HasUdh => (EsmClass & Pdus.EsmClass.UdhIndicator) != 0;

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(ServiceType, "service_type", FieldLimits.ServiceType);
        writer.WriteByte((byte)SourceAddrTon);
        writer.WriteByte((byte)SourceAddrNpi);
        writer.WriteCString(SourceAddr, "source_addr", FieldLimits.Address);
        writer.WriteByte((byte)DestAddrTon);
        writer.WriteByte((byte)DestAddrNpi);
        writer.WriteCString(DestinationAddr, "destination_addr", FieldLimits.Address);
        writer.WriteByte(EsmClass);
        writer.WriteByte(ProtocolId);
        writer.WriteByte(PriorityFlag);
        writer.WriteCString(ScheduleDeliveryTime, "schedule_delivery_time", FieldLimits.DateTime);
        writer.WriteCString(ValidityPeriod, "validity_period", FieldLimits.DateTime);
        writer.WriteByte(RegisteredDelivery);
        writer.WriteByte(ReplaceIfPresentFlag);
        writer.WriteByte(DataCoding);
        writer.WriteByte(SmDefaultMsgId);
        writer.WriteShortMessage(ShortMessage.Span);
        base.WriteBody(ref writer);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        ServiceType = reader.ReadCString("service_type", FieldLimits.ServiceType, CommandStatus.ESME_RINVSERTYP);
        SourceAddrTon = (Ton)reader.ReadByte("source_addr_ton");
        SourceAddrNpi = (Npi)reader.ReadByte("source_addr_npi");
        SourceAddr = reader.ReadCString("source_addr", FieldLimits.Address, CommandStatus.ESME_RINVSRCADR);
        DestAddrTon = (Ton)reader.ReadByte("dest_addr_ton");
        DestAddrNpi = (Npi)reader.ReadByte("dest_addr_npi");
        DestinationAddr = reader.ReadCString("destination_addr", FieldLimits.Address, CommandStatus.ESME_RINVDSTADR);
        EsmClass = reader.ReadByte("esm_class");
        ProtocolId = reader.ReadByte("protocol_id");
        PriorityFlag = reader.ReadByte("priority_flag");
        ScheduleDeliveryTime = reader.ReadCString("schedule_delivery_time", FieldLimits.DateTime, CommandStatus.ESME_RINVSCHED);
        ValidityPeriod = reader.ReadCString("validity_period", FieldLimits.DateTime, CommandStatus.ESME_RINVEXPIRY);
        RegisteredDelivery = reader.ReadByte("registered_delivery");
        ReplaceIfPresentFlag = reader.ReadByte("replace_if_present_flag");
        DataCoding = reader.ReadByte("data_coding");
        SmDefaultMsgId = reader.ReadByte("sm_default_msg_id");
        ShortMessage = reader.ReadShortMessage();
        base.ReadBody(ref reader);
    }

    public override string ToString() => $"{base.ToString()} esm_class=0x{EsmClass:X2} data_coding={DataCoding} sm_length={ShortMessage.Length}";
}

/// <summary>An ESME submits one short message to the SMSC (SMPP 3.4 §4.4.1).</summary>
public sealed class SubmitSm : ShortMessagePdu
{
    public override CommandId CommandId => CommandId.SubmitSm;

    public override Pdu CreateResponse(CommandStatus status = CommandStatus.ESME_ROK) => Answer(new SubmitSmResp(), status);
}

/// <summary>The SMSC's answer to submit_sm: the message_id it assigned (SMPP 3.4 §4.4.2).</summary>
public sealed class SubmitSmResp : MessageIdResponse
{
    public override CommandId CommandId => CommandId.SubmitSmResp;
}

/// <summary>The SMSC delivers a mobile-originated message or a delivery receipt (SMPP 3.4 §4.6.1).</summary>
public sealed class DeliverSm : ShortMessagePdu
{
    public override CommandId CommandId => CommandId.DeliverSm;

    public override Pdu CreateResponse(CommandStatus status = CommandStatus.ESME_ROK) => Answer(new DeliverSmResp(), status);

    /// <summary>esm_class message type 0x04 (SMSC delivery receipt) or 0x20 (intermediate notification), SMPP 3.4 §5.2.12.</summary>
    public bool IsDeliveryReceipt =>
        Pdus.EsmClass.IsDeliveryReceipt(EsmClass);
}

/// <summary>deliver_sm_resp: message_id is unused and NUL (SMPP 3.4 §4.6.2).</summary>
public sealed class DeliverSmResp : MessageIdResponse
{
    public override CommandId CommandId => CommandId.DeliverSmResp;
}
