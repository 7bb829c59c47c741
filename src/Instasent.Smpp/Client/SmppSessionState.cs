using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Client;

public enum SmppSessionState
{
    /// <summary>Constructed; <see cref="SmppSession.OpenAsync"/> not called yet.</summary>
    Created,
    Connecting,
    Binding,
    Bound,
    Unbinding,
    Closed,
}

/// <summary>Why a session closed (or is closing).</summary>
public enum SmppCloseReason
{
    /// <summary>Not closing.</summary>
    None,

    /// <summary>The application called <see cref="SmppSession.CloseAsync"/> or disposed the session.</summary>
    LocalClose,

    /// <summary>The SMSC sent unbind; the session answered unbind_resp and closed.</summary>
    RemoteUnbind,

    /// <summary>The connection failed or the SMSC closed it.</summary>
    NetworkError,

    /// <summary>No enquire_link_resp, or too many response timeouts in a row.</summary>
    LinkDead,

    /// <summary>The SMSC sent bytes that cannot be framed as PDUs; the stream cannot be trusted.</summary>
    ProtocolError,

    /// <summary>TCP connect, TLS handshake or the bind response failed or timed out.</summary>
    ConnectFailed,

    /// <summary>The SMSC answered the bind with an error command_status.</summary>
    BindRefused,
}

/// <summary>
/// One step of a session's life. <see cref="Reason"/> is <see cref="SmppCloseReason.None"/> until the session starts
/// to close; <see cref="CommandStatus"/> is set for a refused bind; <see cref="Detail"/> says what happened in words.
/// </summary>
public sealed record SmppSessionStateChange(
    SmppSessionState State,
    SmppCloseReason Reason = SmppCloseReason.None,
    CommandStatus? CommandStatus = null,
    Exception? Exception = null,
    string? Detail = null)
{
    public override string ToString() =>
        State + (Reason == SmppCloseReason.None ? "" : $" ({Reason})")
        + (CommandStatus is { } s ? $" {s.Describe()}" : "")
        + (Detail is null ? "" : $": {Detail}");
}
