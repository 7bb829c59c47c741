using Instasent.Smpp.Codec;

namespace Instasent.Smpp.Pdus;

/// <summary>
/// A command SMPP defines but this library does not model (the SMPP 5.0 broadcast operations): kept as bytes,
/// so a session can answer it with generic_nack ESME_RINVCMDID instead of dropping the stream.
/// </summary>
public sealed class RawPdu(CommandId commandId) : Pdu
{
    public override CommandId CommandId { get; } = commandId;

    public ReadOnlyMemory<byte> Body { get; set; }

    internal override void WriteBody(ref PduWriter writer) => writer.WriteOctets(Body.Span);

    internal override void ReadBody(ref PduReader reader) => Body = reader.ReadRemaining();
}
