using MassTransit;

namespace Instasent.SmppAdapter.Contracts;

/// <summary>
/// Event: an SMS sent to one of the account's numbers (mobile originated) arrived in a <c>deliver_sm</c>.
/// A long message is published once, after all its parts were reassembled.
/// </summary>
/// <remarks>
/// At least once: each part is acknowledged to the SMSC only once it is safe on the broker, and the SMSC resends
/// what was not acknowledged, so subscribers de-duplicate on <see cref="Id"/> (or, from adapters older than
/// contract 1.1, on (<see cref="Connection"/>, <see cref="SmscMessageId"/>) when present).
/// </remarks>
[EntityName(ContractNames.InboundSmsReceived)]
[MessageUrn("Instasent.SmppAdapter.Contracts:InboundSmsReceived")]
public sealed record InboundSmsReceived
{
    /// <summary>
    /// The message's id, the same on every redelivery of it: the SMSC's id when it sent one with a one-part message, otherwise derived from
    /// the content (addresses and text) and the concatenation reference. The key subscribers de-duplicate on.
    /// Absent only from adapters older than contract 1.1.
    /// </summary>
    public string? Id { get; init; }

    /// <summary>The sender's number.</summary>
    public required string From { get; init; }

    /// <summary>The number or short code the message was sent to.</summary>
    public required string To { get; init; }

    /// <summary>The decoded text, all parts joined.</summary>
    public required string Text { get; init; }

    /// <summary>When the adapter received the message (its last part, for a long message).</summary>
    public required DateTimeOffset ReceivedAt { get; init; }

    /// <summary>How many parts the message arrived in (1 for a short message).</summary>
    public required int Segments { get; init; }

    /// <summary>Name of the SMPP connection the message arrived on.</summary>
    public required string Connection { get; init; }

    /// <summary>The SMSC's id of the message (the <c>receipted_message_id</c> or <c>message_id</c> TLV), when it sent one.</summary>
    public string? SmscMessageId { get; init; }
}
