using Instasent.Smpp.Codec;

namespace Instasent.Smpp.Pdus;

/// <summary>One destination of submit_multi: an SME address (dest_flag 1) or a distribution list name (dest_flag 2), SMPP 3.4 §4.5.1.1.</summary>
public readonly record struct MultiDestination(Ton Ton, Npi Npi, string Address, string? DistributionList = null)
{
    public static MultiDestination Sme(Ton ton, Npi npi, string address) => new(ton, npi, address);

    public static MultiDestination List(string name) => new(default, default, string.Empty, name);

    public bool IsDistributionList => DistributionList is not null;
}

/// <summary>Submit one message to up to 254 destinations (SMPP 3.4 §4.5.1).</summary>
public sealed class SubmitMulti : Pdu
{
    public override CommandId CommandId => CommandId.SubmitMulti;

    public string ServiceType { get; set; } = string.Empty;

    public Ton SourceAddrTon { get; set; }

    public Npi SourceAddrNpi { get; set; }

    public string SourceAddr { get; set; } = string.Empty;

    public IReadOnlyList<MultiDestination> Destinations { get; set; } = [];

    public byte EsmClass { get; set; }

    public byte ProtocolId { get; set; }

    public byte PriorityFlag { get; set; }

    public string ScheduleDeliveryTime { get; set; } = string.Empty;

    public string ValidityPeriod { get; set; } = string.Empty;

    public byte RegisteredDelivery { get; set; }

    public byte ReplaceIfPresentFlag { get; set; }

    public byte DataCoding { get; set; }

    public byte SmDefaultMsgId { get; set; }

    public ReadOnlyMemory<byte> ShortMessage { get; set; }

    public override Pdu CreateResponse(CommandStatus status = CommandStatus.ESME_ROK) => Answer(new SubmitMultiResp(), status);

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(ServiceType, "service_type", FieldLimits.ServiceType);
        writer.WriteByte((byte)SourceAddrTon);
        writer.WriteByte((byte)SourceAddrNpi);
        writer.WriteCString(SourceAddr, "source_addr", FieldLimits.Address);
        if (Destinations.Count is 0 or > 254)
        {
            throw new PduFieldException("number_of_dests", $"number_of_dests is {Destinations.Count}; SMPP allows 1 to 254");
        }

        writer.WriteByte((byte)Destinations.Count);
        foreach (var d in Destinations)
        {
            if (d.IsDistributionList)
            {
                writer.WriteByte(2);
                writer.WriteCString(d.DistributionList, "dl_name", FieldLimits.DistributionListName);
            }
            else
            {
                writer.WriteByte(1);
                writer.WriteByte((byte)d.Ton);
                writer.WriteByte((byte)d.Npi);
                writer.WriteCString(d.Address, "destination_addr", FieldLimits.Address);
            }
        }
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
        int count = reader.ReadByte("number_of_dests");
        if (count == 0)
        {
            throw new PduFormatException(CommandStatus.ESME_RINVNUMDESTS, "number_of_dests is 0");
        }
        // SMPP 3.4 §4.5.1.1: the smallest destination is a dl_name, its dest_flag and an empty name's NUL.
        reader.EnsureRoomFor(count, 2, "number_of_dests", CommandStatus.ESME_RINVNUMDESTS);
        var destinations = new MultiDestination[count];
        for (var i = 0; i < count; i++)
        {
            var flag = reader.ReadByte("dest_flag");
            destinations[i] = flag switch
            {
                1 => MultiDestination.Sme(
                    (Ton)reader.ReadByte("dest_addr_ton"),
                    (Npi)reader.ReadByte("dest_addr_npi"),
                    reader.ReadCString("destination_addr", FieldLimits.Address, CommandStatus.ESME_RINVDSTADR)),
                2 => MultiDestination.List(reader.ReadCString("dl_name", FieldLimits.DistributionListName, CommandStatus.ESME_RINVDLNAME)),
                _ => throw new PduFormatException(CommandStatus.ESME_RINVDESTFLAG, $"dest_flag is {flag}; SMPP defines 1 (SME address) and 2 (distribution list)"),
            };
        }
        Destinations = destinations;
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
}

/// <summary>A destination submit_multi could not reach, with the error for it (SMPP 3.4 §4.5.2.1).</summary>
public readonly record struct UnsuccessSme(Ton DestAddrTon, Npi DestAddrNpi, string DestinationAddr, CommandStatus ErrorStatusCode);

/// <summary>SMPP 3.4 §4.5.2.</summary>
public sealed class SubmitMultiResp : Pdu
{
    public override CommandId CommandId => CommandId.SubmitMultiResp;

    public string MessageId { get; set; } = string.Empty;

    public IReadOnlyList<UnsuccessSme> UnsuccessSmes { get; set; } = [];

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(MessageId, "message_id", FieldLimits.MessageId);
        if (UnsuccessSmes.Count > 254)
        {
            throw new PduFieldException("no_unsuccess", $"no_unsuccess is {UnsuccessSmes.Count}; at most 254");
        }

        writer.WriteByte((byte)UnsuccessSmes.Count);
        foreach (var u in UnsuccessSmes)
        {
            writer.WriteByte((byte)u.DestAddrTon);
            writer.WriteByte((byte)u.DestAddrNpi);
            writer.WriteCString(u.DestinationAddr, "destination_addr", FieldLimits.Address);
            writer.WriteUInt32((uint)u.ErrorStatusCode);
        }
        base.WriteBody(ref writer);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        if (reader.AtEnd)
        {
            return;
        }

        MessageId = reader.ReadCString("message_id", FieldLimits.MessageId, CommandStatus.ESME_RINVMSGID);
        if (reader.AtEnd)
        {
            return;
        }

        int count = reader.ReadByte("no_unsuccess");
        // SMPP 3.4 §4.5.2.1: each unsuccess_sme is at least ton, npi, an empty address and a 4-octet error.
        reader.EnsureRoomFor(count, 7, "no_unsuccess", CommandStatus.ESME_RINVCMDLEN);
        var list = new UnsuccessSme[count];
        for (var i = 0; i < count; i++)
        {
            list[i] = new UnsuccessSme(
                (Ton)reader.ReadByte("dest_addr_ton"),
                (Npi)reader.ReadByte("dest_addr_npi"),
                reader.ReadCString("destination_addr", FieldLimits.Address, CommandStatus.ESME_RINVDSTADR),
                (CommandStatus)reader.ReadUInt32("error_status_code"));
        }
        UnsuccessSmes = list;
        base.ReadBody(ref reader);
    }
}
