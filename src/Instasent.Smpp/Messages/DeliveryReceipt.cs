namespace Instasent.Smpp.Messages;

/// <summary>A delivery receipt or intermediate notification, from the text form, the TLVs, or both (TLVs win).</summary>
public sealed record DeliveryReceipt
{
    /// <summary>The id of the submitted message (receipted_message_id, else <c>id:</c>), trimmed; match it through <see cref="MessageIdNormalizer"/>.</summary>
    public required string MessageId { get; init; }

    /// <summary>message_state, else <c>stat:</c>; <see cref="MessageState.Unknown"/> when neither is readable.</summary>
    public required MessageState State { get; init; }

    /// <summary>The SMPP name of <see cref="State"/> (DELIVRD, UNDELIV, ...).</summary>
    public string StateName => State.ToSmppName();

    /// <summary>The <c>stat:</c> value as sent, if any.</summary>
    public string? RawStat { get; init; }

    /// <summary>The <c>err:</c> value as sent, if any.</summary>
    public string? Error { get; init; }

    /// <summary>The error code: network_error_code's code when that TLV is present, else a numeric <c>err:</c>.</summary>
    public int? ErrorCode { get; init; }

    /// <summary>network_error_code's network type (1 ANSI-136, 2 IS-95, 3 GSM, ... SMPP 3.4 §5.3.2.31), if present.</summary>
    public byte? NetworkErrorType { get; init; }

    /// <summary><c>submit date:</c> in the configured SMSC offset (UTC by default).</summary>
    public DateTimeOffset? SubmitDate { get; init; }

    /// <summary><c>done date:</c> in the configured SMSC offset (UTC by default).</summary>
    public DateTimeOffset? DoneDate { get; init; }

    /// <summary><c>sub:</c>, messages originally submitted.</summary>
    public int? Submitted { get; init; }

    /// <summary><c>dlvrd:</c>, messages delivered.</summary>
    public int? Delivered { get; init; }

    /// <summary><c>text:</c>, the first characters of the message, if sent.</summary>
    public string? Text { get; init; }

    /// <summary>True for an intermediate delivery notification (esm_class type 0x20), which a final receipt follows.</summary>
    public bool IsIntermediate { get; init; }

    /// <summary>True when the state is final: not intermediate, not ENROUTE or SCHEDULED (SMPP 3.4 §5.3.2.35 lists ACCEPTD as final).</summary>
    public bool IsFinal => !IsIntermediate && State is not (MessageState.Enroute or MessageState.Scheduled);
}
