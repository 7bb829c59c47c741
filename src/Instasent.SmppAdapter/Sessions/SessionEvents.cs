using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Sessions;

/// <summary>The public session events (<c>SmppSessionBound</c>, <c>BindFailed</c>, <c>Unbound</c>) of one session slot.</summary>
internal sealed class SessionEvents(SmppConnectionOptions connection, BindType bindType, TimeProvider time)
{
    private string BindTypeName => bindType.ToString().ToLowerInvariant();

    public SmppSessionBound Bound(string sessionId, DateTimeOffset boundAt) => new()
    {
        Connection = connection.Name,
        SessionId = sessionId,
        SystemId = connection.SystemId,
        BindType = BindTypeName,
        InterfaceVersion = connection.InterfaceVersion,
        Host = connection.Host,
        Port = connection.Port,
        BoundAt = boundAt,
    };

    public SmppSessionBindFailed BindFailed(string sessionId, CommandStatus? status, string reason) => new()
    {
        Connection = connection.Name,
        SessionId = sessionId,
        SystemId = connection.SystemId,
        BindType = BindTypeName,
        InterfaceVersion = connection.InterfaceVersion,
        Host = connection.Host,
        Port = connection.Port,
        FailedAt = time.GetUtcNow(),
        CommandStatus = status is { } s ? (int)s : null,
        CommandStatusName = status?.ToString(),
        Reason = reason,
    };

    public SmppSessionUnbound Unbound(string sessionId, string reason, CommandStatus? status) => new()
    {
        Connection = connection.Name,
        SessionId = sessionId,
        SystemId = connection.SystemId,
        BindType = BindTypeName,
        InterfaceVersion = connection.InterfaceVersion,
        Host = connection.Host,
        Port = connection.Port,
        UnboundAt = time.GetUtcNow(),
        Reason = reason,
        CommandStatus = status is { } s ? (int)s : null,
        CommandStatusName = status?.ToString(),
    };
}
