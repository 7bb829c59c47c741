using Instasent.Smpp.Client;
using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Configuration;
using Microsoft.Extensions.Logging;

namespace Instasent.SmppAdapter.Sessions;

/// <summary>
/// Keeps one session slot bound: connect, bind, serve until the session ends, then back off with jitter and do it again.
/// A bind refused for credentials waits <c>BindFailureDelay</c> (never hammer an SMSC with a wrong password); other
/// failures wait the exponential back-off between <c>ReconnectDelayMin</c> and <c>ReconnectDelayMax</c>.
/// Every bind, refusal and loss is reported as a session event.
/// </summary>
internal sealed class SessionSupervisor
{
    private readonly SmppConnectionOptions _connection;
    private readonly ISmppInboundHandler _inbound;
    private readonly SessionEventChannel _events;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Action _changed;
    private readonly Backoff _backoff;
    private readonly SessionEvents _report;
    private volatile SmppSession? _current;

    public SessionSupervisor(SmppConnectionOptions connection, BindType bindType, int slot, ISmppInboundHandler inbound,
        SessionEventChannel events, TimeProvider time, ILoggerFactory loggerFactory, Action changed)
    {
        _connection = connection;
        BindType = bindType;
        Slot = slot;
        _inbound = inbound;
        _events = events;
        _time = time;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<SessionSupervisor>();
        _changed = changed;
        _backoff = new Backoff(connection.ReconnectDelayMin, connection.ReconnectDelayMax);
        _report = new SessionEvents(connection, bindType, time);
    }

    public BindType BindType { get; }

    public int Slot { get; }

    public bool CanTransmit => BindType is BindType.Transmitter or BindType.Transceiver;

    /// <summary>The bound session, or null between binds.</summary>
    public SmppSession? Current => _current;

    public DateTimeOffset? BoundAt { get; private set; }

    /// <summary>When the slot tries to bind again, while it waits between attempts.</summary>
    public DateTimeOffset? NextBindAt { get; private set; }

    /// <summary>Why the last bind failed or the last session ended; kept until the next one.</summary>
    public string? LastError { get; private set; }

    public int BindAttempts { get; private set; }

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var sessionId = $"{_connection.Name}-{BindType.ToString().ToLowerInvariant()[0]}{Slot}-{Guid.NewGuid().ToString("N")[..8]}";
            TimeSpan delay;
            SmppSession session;
            try
            {
                BindAttempts++;
                session = await SmppSession.ConnectAsync(CreateOptions(sessionId), _inbound, _time, _loggerFactory, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SmppBindException e)
            {
                delay = e.Status.IsCredentialError() ? _connection.BindFailureDelay : _backoff.Next();
                _logger.LogWarning("Bind of {Connection} refused with {Status}; retrying in {Delay}", _connection.Name, e.Status.Describe(), delay);
                LastError = $"bind refused: {e.Status.Describe()}";
                _events.Write(_report.BindFailed(sessionId, e.Status, LastError));
                await DelayAsync(delay, stopping).ConfigureAwait(false);
                continue;
            }
            catch (Exception e)
            {
                // SmppConnectionException (connect, TLS, bind timeout) and anything unexpected: the slot must keep trying.
                delay = _backoff.Next();
                _logger.LogWarning("Connecting {Connection} to {Host}:{Port} failed ({Error}); retrying in {Delay}", _connection.Name, _connection.Host, _connection.Port, e.Message, delay);
                LastError = $"connection failed: {e.Message}";
                _events.Write(_report.BindFailed(sessionId, null, LastError));
                await DelayAsync(delay, stopping).ConfigureAwait(false);
                continue;
            }

            await ServeAsync(session, stopping).ConfigureAwait(false);
            if (!stopping.IsCancellationRequested)
            {
                await DelayAsync(_backoff.Next(), stopping).ConfigureAwait(false);
            }
        }
    }

    private async Task ServeAsync(SmppSession session, CancellationToken stopping)
    {
        SmppSessionStateChange? last = null;
        session.StateChanged += (_, change) => last = change;
        _backoff.Reset();
        BoundAt = _time.GetUtcNow();
        _current = session;
        _events.Write(_report.Bound(session.SessionId, BoundAt ?? _time.GetUtcNow()));
        _changed();
        try
        {
            await session.Completion.WaitAsync(stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            // Shutdown: the pool closes the session (unbind, drain) after the consumers stopped.
            return;
        }
        catch (Exception)
        {
            // Completion faults when the connection breaks; the reason comes from the last state change.
        }
        _current = null;
        BoundAt = null;
        _changed();
        LastError = last?.ToString() ?? "connection closed";
        _events.Write(_report.Unbound(session.SessionId, LastError, last?.CommandStatus));
        await session.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Unbinds the bound session (SMPP 3.4 §4.2: unbind waits for outstanding responses first).</summary>
    public async Task CloseAsync(CancellationToken cancellationToken)
    {
        var session = Interlocked.Exchange(ref _current, null);
        if (session is null)
        {
            return;
        }
        BoundAt = null;
        _changed();
        try
        {
            await session.CloseAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _logger.LogWarning("Unbinding {SessionId} failed: {Error}", session.SessionId, e.Message);
        }
        _events.Write(_report.Unbound(session.SessionId, "shutdown", null));
        await session.DisposeAsync().ConfigureAwait(false);
    }

    private SmppSessionOptions CreateOptions(string sessionId) => new()
    {
        Host = _connection.Host,
        Port = _connection.Port,
        UseTls = _connection.UseTls,
        TlsTargetHost = _connection.Host,
        TlsAllowUntrustedCertificate = _connection.TlsAllowUntrustedCertificate,
        SystemId = _connection.SystemId,
        Password = _connection.Password,
        SystemType = _connection.SystemType,
        BindType = BindType,
        InterfaceVersion = _connection.InterfaceVersionByte,
        WindowSize = _connection.WindowSize,
        MaxInboundInFlight = _connection.MaxInboundInFlight,
        ResponseTimeout = _connection.ResponseTimeout,
        EnquireLinkInterval = _connection.EnquireLinkInterval,
        ConnectTimeout = _connection.ConnectTimeout,
        ConnectionName = _connection.Name,
        SessionId = sessionId,
    };

    private async Task DelayAsync(TimeSpan delay, CancellationToken stopping)
    {
        NextBindAt = _time.GetUtcNow() + delay;
        try
        {
            await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        NextBindAt = null;
    }
}
