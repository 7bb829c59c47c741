using Instasent.Smpp.Codec;

namespace Instasent.Smpp.Pdus;

/// <summary>bind_transmitter, bind_receiver and bind_transceiver share one body (SMPP 3.4 §4.1).</summary>
public abstract class BindRequest : Pdu
{
    public string SystemId { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    public string SystemType { get; set; } = string.Empty;

    public byte InterfaceVersion { get; set; } = Pdus.InterfaceVersion.V34;

    public Ton AddrTon { get; set; }

    public Npi AddrNpi { get; set; }

    public string AddressRange { get; set; } = string.Empty;

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(SystemId, "system_id", FieldLimits.SystemId);
        writer.WriteCString(Password, "password", FieldLimits.Password);
        writer.WriteCString(SystemType, "system_type", FieldLimits.SystemType);
        writer.WriteByte(InterfaceVersion);
        writer.WriteByte((byte)AddrTon);
        writer.WriteByte((byte)AddrNpi);
        writer.WriteCString(AddressRange, "address_range", FieldLimits.AddressRange);
        base.WriteBody(ref writer);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        SystemId = reader.ReadCString("system_id", FieldLimits.SystemId, CommandStatus.ESME_RINVSYSID);
        Password = reader.ReadCString("password", FieldLimits.Password, CommandStatus.ESME_RINVPASWD);
        SystemType = reader.ReadCString("system_type", FieldLimits.SystemType, CommandStatus.ESME_RINVSYSTYP);
        InterfaceVersion = reader.ReadByte("interface_version");
        AddrTon = (Ton)reader.ReadByte("addr_ton");
        AddrNpi = (Npi)reader.ReadByte("addr_npi");
        AddressRange = reader.ReadCString("address_range", FieldLimits.AddressRange, CommandStatus.ESME_RBINDFAIL);
        base.ReadBody(ref reader);
    }

    public override string ToString() => $"{base.ToString()} system_id={SystemId} version={Pdus.InterfaceVersion.Describe(InterfaceVersion)}";
}

/// <summary>The bind responses: system_id and optionally sc_interface_version (SMPP 3.4 §4.1.2).</summary>
public abstract class BindResponse : Pdu
{
    public string SystemId { get; set; } = string.Empty;

    internal override void WriteBody(ref PduWriter writer)
    {
        // SMPP 3.4 §4.1.2: the body is not returned when command_status is an error.
        if (CommandStatus != CommandStatus.ESME_ROK && SystemId.Length == 0 && TlvsOrNull is not { Count: > 0 })
        {
            return;
        }

        writer.WriteCString(SystemId, "system_id", FieldLimits.SystemId);
        base.WriteBody(ref writer);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        if (reader.AtEnd)
        {
            return;
        }

        SystemId = reader.ReadCString("system_id", FieldLimits.SystemId, CommandStatus.ESME_RINVSYSID);
        base.ReadBody(ref reader);
    }
}

public sealed class BindTransmitter : BindRequest
{
    public override CommandId CommandId => CommandId.BindTransmitter;

    public override Pdu CreateResponse(CommandStatus status = CommandStatus.ESME_ROK) => Answer(new BindTransmitterResp(), status);
}

public sealed class BindTransmitterResp : BindResponse
{
    public override CommandId CommandId => CommandId.BindTransmitterResp;
}

public sealed class BindReceiver : BindRequest
{
    public override CommandId CommandId => CommandId.BindReceiver;

    public override Pdu CreateResponse(CommandStatus status = CommandStatus.ESME_ROK) => Answer(new BindReceiverResp(), status);
}

public sealed class BindReceiverResp : BindResponse
{
    public override CommandId CommandId => CommandId.BindReceiverResp;
}

public sealed class BindTransceiver : BindRequest
{
    public override CommandId CommandId => CommandId.BindTransceiver;

    public override Pdu CreateResponse(CommandStatus status = CommandStatus.ESME_ROK) => Answer(new BindTransceiverResp(), status);
}

public sealed class BindTransceiverResp : BindResponse
{
    public override CommandId CommandId => CommandId.BindTransceiverResp;
}

/// <summary>The SMSC asks the ESME to bind (SMPP 3.4 §4.1.7). No response PDU exists.</summary>
public sealed class Outbind : Pdu
{
    public override CommandId CommandId => CommandId.Outbind;

    public string SystemId { get; set; } = string.Empty;

    public string Password { get; set; } = string.Empty;

    internal override void WriteBody(ref PduWriter writer)
    {
        writer.WriteCString(SystemId, "system_id", FieldLimits.SystemId);
        writer.WriteCString(Password, "password", FieldLimits.Password);
        base.WriteBody(ref writer);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        SystemId = reader.ReadCString("system_id", FieldLimits.SystemId, CommandStatus.ESME_RINVSYSID);
        Password = reader.ReadCString("password", FieldLimits.Password, CommandStatus.ESME_RINVPASWD);
        base.ReadBody(ref reader);
    }
}
