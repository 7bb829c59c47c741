using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Client;

/// <summary>Base of everything the SMPP client throws about the SMSC or the link.</summary>
public class SmppException : Exception
{
    public SmppException(string message, Exception? innerException = null) : base(message, innerException)
    {
    }
}

/// <summary>The TCP connection, the TLS handshake or the bind exchange failed or timed out.</summary>
public sealed class SmppConnectionException(string message, Exception? innerException = null) : SmppException(message, innerException);

/// <summary>The SMSC refused the bind; <see cref="Status"/> says why (ESME_RINVPASWD, ESME_RINVSYSID, ESME_RBINDFAIL ...).</summary>
public sealed class SmppBindException(CommandStatus status, string message) : SmppException(message)
{
    public CommandStatus Status { get; } = status;

    /// <summary>Wrong credentials or account: rebinding soon will not help.</summary>
    public bool IsCredentialError => Status.IsCredentialError();
}

/// <summary>
/// A request that got no usable response. <see cref="WasSent"/> says whether its bytes were handed to the socket:
/// when false the SMSC never saw it and it is safe to send again; when true the outcome is unknown.
/// </summary>
public abstract class SmppRequestException(CommandId command, uint sequenceNumber, bool wasSent, string message, Exception? innerException = null)
    : SmppException(message, innerException)
{
    public CommandId Command { get; } = command;

    /// <summary>0 when the request never got a sequence number (refused before it was queued).</summary>
    public uint SequenceNumber { get; } = sequenceNumber;

    public bool WasSent { get; } = wasSent;

    private protected static string Sent(bool wasSent) => wasSent ? "it was sent, so its outcome is unknown" : "it was never sent";
}

/// <summary>No response within the request's timeout. The request keeps no window slot afterwards.</summary>
public sealed class SmppResponseTimeoutException(CommandId command, uint sequenceNumber, bool wasSent, TimeSpan timeout, string sessionId)
    : SmppRequestException(command, sequenceNumber, wasSent,
        $"No response to {command.Describe()} (sequence {sequenceNumber}) within {timeout.TotalSeconds:0.###} s on session {sessionId}; {Sent(wasSent)}")
{
    public TimeSpan Timeout { get; } = timeout;
}

/// <summary>The session closed (or was closing) before the request was answered.</summary>
public sealed class SmppSessionClosedException(CommandId command, uint sequenceNumber, bool wasSent, SmppCloseReason reason, string sessionId, string? detail)
    : SmppRequestException(command, sequenceNumber, wasSent,
        $"Session {sessionId} closed ({reason}{(detail is null ? "" : $": {detail}")}) before {command.Describe()}"
        + (sequenceNumber == 0 ? "" : $" (sequence {sequenceNumber})") + $" was answered; {Sent(wasSent)}")
{
    public SmppCloseReason Reason { get; } = reason;
}

/// <summary>The SMSC answered the request with generic_nack (SMPP 3.4 §4.3): it could not process it at all.</summary>
public sealed class SmppGenericNackException(CommandId command, uint sequenceNumber, CommandStatus status, string sessionId)
    : SmppRequestException(command, sequenceNumber, true,
        $"The SMSC answered {command.Describe()} (sequence {sequenceNumber}) on session {sessionId} with generic_nack {status.Describe()}")
{
    public CommandStatus Status { get; } = status;
}

/// <summary>The SMSC's answer to the request could not be used: the wrong command, or a body that did not decode.</summary>
public sealed class SmppProtocolException(CommandId command, uint sequenceNumber, string message)
    : SmppRequestException(command, sequenceNumber, true, message);
