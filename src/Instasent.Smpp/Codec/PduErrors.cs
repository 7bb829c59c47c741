using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Codec;

/// <summary>
/// Why bytes from the peer are not a valid PDU, with the command_status to answer with, and whether the stream
/// is still framed (the PDU's length was sound, so the next PDU starts right after it) or must be closed.
/// </summary>
public sealed record PduDecodeError(
    CommandStatus Status,
    string Reason,
    bool StreamInSync,
    uint? CommandIdValue,
    uint? SequenceNumber)
{
    /// <summary>The command the bad PDU claimed to be, when the header was readable.</summary>
    public CommandId? CommandId => CommandIdValue is { } v ? (CommandId)v : null;

    public override string ToString() =>
        $"{Status.Describe()}: {Reason}" + (CommandIdValue is { } id ? $" ({((CommandId)id).Describe()}, sequence {SequenceNumber})" : "")
        + (StreamInSync ? "" : "; the stream is out of sync");
}

/// <summary>Thrown inside the decoder; never escapes <see cref="PduCodec"/>.</summary>
internal sealed class PduFormatException(CommandStatus status, string message) : Exception(message)
{
    public CommandStatus Status { get; } = status;
}

/// <summary>A PDU field that cannot be encoded: names the field, the value's size and the limit.</summary>
public sealed class PduFieldException(string field, string message) : ArgumentException(message, field)
{
    public string Field { get; } = field;
}
