using MassTransit;

namespace Instasent.SmppAdapter.Contracts;

/// <summary>
/// Event: an SMPP session is bound and ready to carry traffic. Published after every successful bind,
/// including each reconnect.
/// </summary>
/// <remarks>Informational; de-duplicate on <see cref="SessionId"/> if needed.</remarks>
[EntityName(ContractNames.SmppSessionBound)]
[MessageUrn("Instasent.SmppAdapter.Contracts:SmppSessionBound")]
public sealed record SmppSessionBound
{
    /// <summary>Name of the configured SMPP connection (account).</summary>
    public required string Connection { get; init; }

    /// <summary>The adapter's id for this session (new for every bind), as in <see cref="SmsSubmitted.SessionId"/>.</summary>
    public required string SessionId { get; init; }

    /// <summary>The system_id the session bound as (never the password).</summary>
    public required string SystemId { get; init; }

    /// <summary>The bind: <c>transceiver</c>, <c>transmitter</c> or <c>receiver</c>.</summary>
    public required string BindType { get; init; }

    /// <summary>SMPP interface version: <c>3.4</c> or <c>5.0</c>.</summary>
    public required string InterfaceVersion { get; init; }

    /// <summary>The SMSC host.</summary>
    public required string Host { get; init; }

    /// <summary>The SMSC port.</summary>
    public required int Port { get; init; }

    /// <summary>When the bind response arrived.</summary>
    public required DateTimeOffset BoundAt { get; init; }
}

/// <summary>
/// Event: a bind attempt failed: the SMSC refused it (e.g. ESME_RINVPASWD, ESME_RBINDFAIL) or the connection could
/// not be made or timed out. Published for every failed attempt; the adapter retries with back-off (longer after a
/// credentials refusal).
/// </summary>
/// <remarks>Informational; each attempt is a distinct event.</remarks>
[EntityName(ContractNames.SmppSessionBindFailed)]
[MessageUrn("Instasent.SmppAdapter.Contracts:SmppSessionBindFailed")]
public sealed record SmppSessionBindFailed
{
    /// <summary>Name of the configured SMPP connection (account).</summary>
    public required string Connection { get; init; }

    /// <summary>The adapter's id for the session that tried to bind.</summary>
    public required string SessionId { get; init; }

    /// <summary>The system_id the bind used (never the password).</summary>
    public required string SystemId { get; init; }

    /// <summary>The bind: <c>transceiver</c>, <c>transmitter</c> or <c>receiver</c>.</summary>
    public required string BindType { get; init; }

    /// <summary>SMPP interface version: <c>3.4</c> or <c>5.0</c>.</summary>
    public required string InterfaceVersion { get; init; }

    /// <summary>The SMSC host.</summary>
    public required string Host { get; init; }

    /// <summary>The SMSC port.</summary>
    public required int Port { get; init; }

    /// <summary>When the attempt failed.</summary>
    public required DateTimeOffset FailedAt { get; init; }

    /// <summary>The command_status of the bind response, when the SMSC answered (e.g. 14 for ESME_RINVPASWD).</summary>
    public int? CommandStatus { get; init; }

    /// <summary>The name of <see cref="CommandStatus"/>, when the SMSC answered.</summary>
    public string? CommandStatusName { get; init; }

    /// <summary>What failed, e.g. the refusal with its status, a connection error or a response timeout.</summary>
    public required string Reason { get; init; }
}

/// <summary>
/// Event: a bound session ended: the adapter unbound it (shutdown, scale-down), the SMSC sent <c>unbind</c>,
/// keepalive failed, or the connection dropped. Published once per session; the adapter reconnects unless it is
/// shutting down.
/// </summary>
/// <remarks>Informational; de-duplicate on <see cref="SessionId"/> if needed.</remarks>
[EntityName(ContractNames.SmppSessionUnbound)]
[MessageUrn("Instasent.SmppAdapter.Contracts:SmppSessionUnbound")]
public sealed record SmppSessionUnbound
{
    /// <summary>Name of the configured SMPP connection (account).</summary>
    public required string Connection { get; init; }

    /// <summary>The adapter's id for the session that ended.</summary>
    public required string SessionId { get; init; }

    /// <summary>The system_id the session was bound as (never the password).</summary>
    public required string SystemId { get; init; }

    /// <summary>The bind: <c>transceiver</c>, <c>transmitter</c> or <c>receiver</c>.</summary>
    public required string BindType { get; init; }

    /// <summary>SMPP interface version: <c>3.4</c> or <c>5.0</c>.</summary>
    public required string InterfaceVersion { get; init; }

    /// <summary>The SMSC host.</summary>
    public required string Host { get; init; }

    /// <summary>The SMSC port.</summary>
    public required int Port { get; init; }

    /// <summary>When the session ended.</summary>
    public required DateTimeOffset UnboundAt { get; init; }

    /// <summary>Why: e.g. shutdown, unbind from the SMSC, enquire_link timeout, connection reset.</summary>
    public required string Reason { get; init; }

    /// <summary>The command_status involved (e.g. of an <c>unbind_resp</c> or a <c>generic_nack</c>), if any.</summary>
    public int? CommandStatus { get; init; }

    /// <summary>The name of <see cref="CommandStatus"/>, if any.</summary>
    public string? CommandStatusName { get; init; }
}
