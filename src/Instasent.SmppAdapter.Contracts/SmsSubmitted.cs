using MassTransit;

namespace Instasent.SmppAdapter.Contracts;

/// <summary>
/// Event: the SMSC accepted every segment of a <see cref="SendSms"/> (each <c>submit_sm_resp</c> was ESME_ROK).
/// Published once per command, before the command is acknowledged.
/// </summary>
/// <remarks>
/// At least once: after a crash or a redelivery it may be published again, so subscribers de-duplicate on
/// <see cref="MessageId"/>. Acceptance is not delivery; <see cref="SmsDeliveryReported"/> follows when a receipt
/// was requested.
/// </remarks>
[EntityName(ContractNames.SmsSubmitted)]
[MessageUrn("Instasent.SmppAdapter.Contracts:SmsSubmitted")]
public sealed record SmsSubmitted
{
    /// <summary>The <see cref="SendSms.MessageId"/> of the command: the de-duplication key.</summary>
    public required string MessageId { get; init; }

    /// <summary>The message_id the SMSC returned for each segment, in segment order; delivery receipts refer to these.</summary>
    public required IReadOnlyList<string> SmscMessageIds { get; init; }

    /// <summary>How many segments the text was split into (1 for a short message).</summary>
    public required int Segments { get; init; }

    /// <summary>Name of the SMPP connection (account) the message went through.</summary>
    public required string Connection { get; init; }

    /// <summary>Id of the bound session that submitted the last segment, as in the session events.</summary>
    public required string SessionId { get; init; }

    /// <summary>When the SMSC answered the last segment.</summary>
    public required DateTimeOffset SubmittedAt { get; init; }

    /// <summary>The command's <see cref="SendSms.Metadata"/>, unchanged.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
