namespace Instasent.Smpp.Pdus;

// SMPP 3.4 §4.2-4.3, §4.9-4.11 and §4.3.1: PDUs that are a header and nothing else.

public sealed class EnquireLink : HeaderOnlyPdu
{
    public override CommandId CommandId => CommandId.EnquireLink;

    public override Pdu CreateResponse(CommandStatus status = CommandStatus.ESME_ROK) => Answer(new EnquireLinkResp(), status);
}

public sealed class EnquireLinkResp : HeaderOnlyPdu
{
    public override CommandId CommandId => CommandId.EnquireLinkResp;
}

public sealed class Unbind : HeaderOnlyPdu
{
    public override CommandId CommandId => CommandId.Unbind;

    public override Pdu CreateResponse(CommandStatus status = CommandStatus.ESME_ROK) => Answer(new UnbindResp(), status);
}

public sealed class UnbindResp : HeaderOnlyPdu
{
    public override CommandId CommandId => CommandId.UnbindResp;
}

/// <summary>Answers a PDU that cannot be processed at all (SMPP 3.4 §4.3).</summary>
public sealed class GenericNack : HeaderOnlyPdu
{
    public override CommandId CommandId => CommandId.GenericNack;
}

public sealed class CancelSmResp : HeaderOnlyPdu
{
    public override CommandId CommandId => CommandId.CancelSmResp;
}

public sealed class ReplaceSmResp : HeaderOnlyPdu
{
    public override CommandId CommandId => CommandId.ReplaceSmResp;
}
