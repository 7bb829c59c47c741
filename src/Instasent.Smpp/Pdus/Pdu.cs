using Instasent.Smpp.Codec;

namespace Instasent.Smpp.Pdus;

/// <summary>
/// One SMPP PDU: the 16-octet header (SMPP 3.4 §3.2) and a body. One subclass per command, named as the
/// specification names it; <see cref="PduCodec"/> turns them into bytes and back.
/// </summary>
public abstract class Pdu
{
    private TlvCollection? _tlvs;

    public abstract CommandId CommandId { get; }

    public CommandStatus CommandStatus { get; set; }

    /// <summary>1..0x7FFFFFFF (SMPP 3.4 §5.1.4); the response carries the request's.</summary>
    public uint SequenceNumber { get; set; }

    /// <summary>Optional parameters, in wire order; unknown ones are kept byte for byte.</summary>
    public TlvCollection Tlvs => _tlvs ??= new TlvCollection();

    internal TlvCollection? TlvsOrNull => _tlvs;

    public bool IsResponse => CommandId.IsResponse();

    /// <summary>The response that answers this request, with its sequence_number; null for responses and outbind/alert_notification.</summary>
    public virtual Pdu? CreateResponse(CommandStatus status = CommandStatus.ESME_ROK) => null;

    internal virtual void WriteBody(ref PduWriter writer) => writer.WriteTlvs(_tlvs);

    internal virtual void ReadBody(ref PduReader reader) => reader.ReadTlvs(this);

    protected TResponse Answer<TResponse>(TResponse response, CommandStatus status) where TResponse : Pdu
    {
        response.SequenceNumber = SequenceNumber;
        response.CommandStatus = status;
        return response;
    }

    public override string ToString() =>
        $"{CommandId.Describe()} seq={SequenceNumber}" + (IsResponse || CommandStatus != CommandStatus.ESME_ROK ? $" status={CommandStatus.Describe()}" : "");
}

/// <summary>A command whose body SMPP leaves empty (enquire_link, unbind, their responses, generic_nack ...).</summary>
public abstract class HeaderOnlyPdu : Pdu
{
}

/// <summary>
/// A response whose body is a message_id (submit_sm_resp, deliver_sm_resp, data_sm_resp). SMPP 3.4 §4.4.2: the
/// body is not returned when command_status is an error, so an empty body decodes as an empty message_id.
/// </summary>
public abstract class MessageIdResponse : Pdu
{
    public string MessageId { get; set; } = string.Empty;

    internal override void WriteBody(ref PduWriter writer)
    {
        if (CommandStatus != CommandStatus.ESME_ROK && MessageId.Length == 0 && TlvsOrNull is not { Count: > 0 })
        {
            return;
        }

        writer.WriteCString(MessageId, "message_id", FieldLimits.MessageId);
        base.WriteBody(ref writer);
    }

    internal override void ReadBody(ref PduReader reader)
    {
        if (reader.AtEnd)
        {
            return;
        }

        MessageId = reader.ReadCString("message_id", FieldLimits.MessageId, CommandStatus.ESME_RINVMSGID);
        base.ReadBody(ref reader);
    }
}

/// <summary>Maximum field sizes in octets, counting the NUL of C-octet strings (SMPP 3.4 §4 and §5.2).</summary>
public static class FieldLimits
{
    public const int SystemId = 16;
    public const int Password = 9;
    public const int SystemType = 13;
    public const int AddressRange = 41;
    public const int ServiceType = 6;
    public const int Address = 21;
    public const int AlertAddress = 65;
    public const int DateTime = 17;
    public const int MessageId = 65;
    public const int DistributionListName = 21;
    public const int ShortMessage = 254;
}
