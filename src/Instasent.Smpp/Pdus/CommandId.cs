namespace Instasent.Smpp.Pdus;

/// <summary>
/// Every command_id of SMPP 3.4 (§5.1.2.1) and SMPP 5.0 (§4.7.5). Responses carry bit 31 set.
/// </summary>
public enum CommandId : uint
{
    GenericNack = 0x80000000,
    BindReceiver = 0x00000001,
    BindReceiverResp = 0x80000001,
    BindTransmitter = 0x00000002,
    BindTransmitterResp = 0x80000002,
    QuerySm = 0x00000003,
    QuerySmResp = 0x80000003,
    SubmitSm = 0x00000004,
    SubmitSmResp = 0x80000004,
    DeliverSm = 0x00000005,
    DeliverSmResp = 0x80000005,
    Unbind = 0x00000006,
    UnbindResp = 0x80000006,
    ReplaceSm = 0x00000007,
    ReplaceSmResp = 0x80000007,
    CancelSm = 0x00000008,
    CancelSmResp = 0x80000008,
    BindTransceiver = 0x00000009,
    BindTransceiverResp = 0x80000009,
    Outbind = 0x0000000B,
    EnquireLink = 0x00000015,
    EnquireLinkResp = 0x80000015,
    SubmitMulti = 0x00000021,
    SubmitMultiResp = 0x80000021,
    AlertNotification = 0x00000102,
    DataSm = 0x00000103,
    DataSmResp = 0x80000103,

    // SMPP 5.0 §4.6 broadcast operations: recognised by name, carried as RawPdu (Instasent does not use them).
    BroadcastSm = 0x00000111,
    BroadcastSmResp = 0x80000111,
    QueryBroadcastSm = 0x00000112,
    QueryBroadcastSmResp = 0x80000112,
    CancelBroadcastSm = 0x00000113,
    CancelBroadcastSmResp = 0x80000113,
}

public static class CommandIds
{
    /// <summary>Bit 31 marks a response (SMPP 3.4 §5.1.2.1).</summary>
    public const uint ResponseBit = 0x80000000;

    public static bool IsResponse(this CommandId id) => ((uint)id & ResponseBit) != 0;

    /// <summary>The response command_id that answers this request (generic_nack has none).</summary>
    public static CommandId ResponseOf(this CommandId request) => (CommandId)((uint)request | ResponseBit);

    public static bool IsKnown(uint value) => Name((CommandId)value) is not null;

    /// <summary>The specification's name (<c>submit_sm</c>), or null when the value is not an SMPP command.</summary>
    public static string? Name(this CommandId id) => id switch
    {
        CommandId.GenericNack => "generic_nack",
        CommandId.BindReceiver => "bind_receiver",
        CommandId.BindReceiverResp => "bind_receiver_resp",
        CommandId.BindTransmitter => "bind_transmitter",
        CommandId.BindTransmitterResp => "bind_transmitter_resp",
        CommandId.QuerySm => "query_sm",
        CommandId.QuerySmResp => "query_sm_resp",
        CommandId.SubmitSm => "submit_sm",
        CommandId.SubmitSmResp => "submit_sm_resp",
        CommandId.DeliverSm => "deliver_sm",
        CommandId.DeliverSmResp => "deliver_sm_resp",
        CommandId.Unbind => "unbind",
        CommandId.UnbindResp => "unbind_resp",
        CommandId.ReplaceSm => "replace_sm",
        CommandId.ReplaceSmResp => "replace_sm_resp",
        CommandId.CancelSm => "cancel_sm",
        CommandId.CancelSmResp => "cancel_sm_resp",
        CommandId.BindTransceiver => "bind_transceiver",
        CommandId.BindTransceiverResp => "bind_transceiver_resp",
        CommandId.Outbind => "outbind",
        CommandId.EnquireLink => "enquire_link",
        CommandId.EnquireLinkResp => "enquire_link_resp",
        CommandId.SubmitMulti => "submit_multi",
        CommandId.SubmitMultiResp => "submit_multi_resp",
        CommandId.AlertNotification => "alert_notification",
        CommandId.DataSm => "data_sm",
        CommandId.DataSmResp => "data_sm_resp",
        CommandId.BroadcastSm => "broadcast_sm",
        CommandId.BroadcastSmResp => "broadcast_sm_resp",
        CommandId.QueryBroadcastSm => "query_broadcast_sm",
        CommandId.QueryBroadcastSmResp => "query_broadcast_sm_resp",
        CommandId.CancelBroadcastSm => "cancel_broadcast_sm",
        CommandId.CancelBroadcastSmResp => "cancel_broadcast_sm_resp",
        _ => null,
    };

    /// <summary>The name, or <c>0x...</c> for a value SMPP does not define (for logs and errors).</summary>
    public static string Describe(this CommandId id) => id.Name() ?? $"0x{(uint)id:X8}";
}
