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

/// <summary>Names of <see cref="MessageState"/> values (esm_class lives in <see cref="Pdus.EsmClass"/>).</summary>
public static class MessageStates
{
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
