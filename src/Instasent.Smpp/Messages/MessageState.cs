namespace Instasent.Smpp.Messages;

/// <summary>message_state values, SMPP 3.4 §5.3.2.35 (and 5.0 §4.8.4.37 for 0 and 9).</summary>
public enum MessageState : byte
{
    /// <summary>SMPP 5.0: scheduled for later delivery.</summary>
    Scheduled = 0,
    Enroute = 1,
    Delivered = 2,
    Expired = 3,
    Deleted = 4,
    Undeliverable = 5,
    Accepted = 6,
    Unknown = 7,
    Rejected = 8,

    /// <summary>SMPP 5.0: skipped (not sent, e.g. a blocked destination).</summary>
    Skipped = 9,
}

/// <summary>esm_class message type of a deliver_sm (SMPP 3.4 §5.2.12, bits 5-2, mask 0x3C).</summary>
public enum EsmMessageType : byte
{
    /// <summary>A normal (mobile-originated) message.</summary>
    Default = 0x00,
    SmscDeliveryReceipt = 0x04,
    SmeDeliveryAcknowledgement = 0x08,
    SmeManualAcknowledgement = 0x10,
    ConversationAbort = 0x18,
    IntermediateDeliveryNotification = 0x20,
}

/// <summary>Names and classification of <see cref="MessageState"/> and <see cref="EsmMessageType"/>.</summary>
public static class MessageStates
{
    /// <summary>SMPP 3.4 §5.2.12: the message-type bits of esm_class.</summary>
    public const byte MessageTypeMask = 0x3C;

    /// <summary>The message type in <paramref name="esmClass"/>.</summary>
    public static EsmMessageType GetMessageType(byte esmClass) => (EsmMessageType)(esmClass & MessageTypeMask);

    /// <summary>True for an SMSC delivery receipt (0x04) or an intermediate delivery notification (0x20).</summary>
    public static bool IsReceipt(byte esmClass) =>
        GetMessageType(esmClass) is EsmMessageType.SmscDeliveryReceipt or EsmMessageType.IntermediateDeliveryNotification;

    /// <summary>The name used in the text receipt's <c>stat:</c> field (SMPP 3.4 Appendix B), e.g. DELIVRD.</summary>
    public static string ToSmppName(this MessageState state) => state switch
    {
        MessageState.Scheduled => "SCHEDULED",
        MessageState.Enroute => "ENROUTE",
        MessageState.Delivered => "DELIVRD",
        MessageState.Expired => "EXPIRED",
        MessageState.Deleted => "DELETED",
        MessageState.Undeliverable => "UNDELIV",
        MessageState.Accepted => "ACCEPTD",
        MessageState.Rejected => "REJECTD",
        MessageState.Skipped => "SKIPPED",
        _ => "UNKNOWN",
    };

    /// <summary>
    /// Reads a <c>stat:</c> value: the Appendix B abbreviations and the long forms some SMSCs send
    /// (DELIVERED, UNDELIVERABLE, ACCEPTED, REJECTED, FAILED as undeliverable), any case. Null when unrecognised.
    /// </summary>
    public static MessageState? FromSmppName(ReadOnlySpan<char> name) => name.Trim().ToString().ToUpperInvariant() switch
    {
        "DELIVRD" or "DELIVERED" => MessageState.Delivered,
        "EXPIRED" => MessageState.Expired,
        "DELETED" => MessageState.Deleted,
        "UNDELIV" or "UNDELIVERABLE" or "FAILED" => MessageState.Undeliverable,
        "ACCEPTD" or "ACCEPTED" => MessageState.Accepted,
        "UNKNOWN" => MessageState.Unknown,
        "REJECTD" or "REJECTED" => MessageState.Rejected,
        "ENROUTE" => MessageState.Enroute,
        "SKIPPED" => MessageState.Skipped,
        "SCHEDULED" or "SCHEDUL" => MessageState.Scheduled,
        _ => null,
    };
}
