using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Threading.Channels;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Instasent.Smpp.Client;

/// <summary>
/// One bound SMPP session over one TCP (or TLS) connection: PDUs ⇄ request/response. A read loop frames PDUs
/// with <see cref="PduCodec"/> from a <see cref="PipeReader"/>; one write loop drains a bounded channel into a
/// <see cref="PipeWriter"/>, so writes never interleave and batch under load. Requests are matched to responses by
/// sequence_number inside a window; keepalive, inbound requests and telemetry live in the partial files beside this.
/// </summary>
public sealed partial class SmppSession : IAsyncDisposable
{
    private readonly ISmppInboundHandler? _handler;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;

    // Guards the pending table, the deadline list, the sequence counter, the pool and the state flags below.
    private readonly Lock _sync = new();

    private readonly Channel<OutboundPdu> _outbound;

    // Cancelled when a close starts: callers waiting for a window slot give up.
    private readonly CancellationTokenSource _stopAcceptingCts = new();

    // Cancelled when the connection goes: inbound handlers are told to stop.
    private readonly CancellationTokenSource _abortCts = new();

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private volatile SmppSessionState _state = SmppSessionState.Created;
    private bool _opened;
    private volatile bool _accepting; // user requests allowed (Bound only)
    private volatile bool _closed;   // Abort ran
    private bool _localClose;     // CloseAsync started
    private bool _remoteUnbind;   // the SMSC sent unbind
    private SmppCloseReason _closeReason;
    private string? _closeDetail;

    private Socket? _socket;
    private Stream? _stream;
    private PipeReader? _reader;
    private PipeWriter? _writer;
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;

    private long _lastActivity;

    public SmppSession(SmppSessionOptions options, ISmppInboundHandler? handler = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _inboundSlots = new SemaphoreSlim(options.MaxInboundInFlight);
        SessionId = options.SessionId ?? $"{options.ConnectionName}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        _handler = handler;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<SmppSession>();
        _window = new SemaphoreSlim(options.WindowSize, options.WindowSize);
        // Room for a full window plus responses to the SMSC's requests; the window already bounds our own requests.
        _outbound = Channel.CreateBounded<OutboundPdu>(new BoundedChannelOptions(options.WindowSize + 256)
        {
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _tags = new SessionTags(options.ConnectionName, options.BindType);
        using (ExecutionContext.SuppressFlow())
        {
            // Timers must not capture the creator's Activity or other async-local state.
            _timeoutTimer = _timeProvider.CreateTimer(static s => ((SmppSession)s!).OnTimeoutTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _keepaliveTimer = _timeProvider.CreateTimer(static s => ((SmppSession)s!).OnKeepaliveTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Connects, binds and returns the bound session.</summary>
    /// <exception cref="SmppBindException">The SMSC refused the bind; <see cref="SmppBindException.Status"/> says why.</exception>
    /// <exception cref="SmppConnectionException">The connection, TLS handshake or bind exchange failed or timed out.</exception>
    /// <exception cref="ArgumentException">An option cannot work (e.g. a password longer than 8 characters); nothing was sent.</exception>
    public static async Task<SmppSession> ConnectAsync(SmppSessionOptions options, ISmppInboundHandler? handler = null, TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null, CancellationToken cancellationToken = default)
    {
        var session = new SmppSession(options, handler, timeProvider, loggerFactory);
        await session.OpenAsync(cancellationToken).ConfigureAwait(false);
        return session;
    }

    public string SessionId { get; }

    public SmppSessionOptions Options { get; }

    public SmppSessionState State => _state;

    /// <summary>sc_interface_version from the bind response (SMPP 3.4 §5.3.2.25); null when the SMSC did not send it.</summary>
    public byte? ScInterfaceVersion { get; private set; }

    /// <summary>system_id from the bind response: the SMSC's name for itself.</summary>
    public string? RemoteSystemId { get; private set; }

    /// <summary>Raised on every state change, on the thread that caused it; keep handlers short.</summary>
    public event Action<SmppSession, SmppSessionStateChange>? StateChanged;

    /// <summary>Completes (never faults) when the session has closed; the last <see cref="StateChanged"/> says why.</summary>
    public Task Completion => _completion.Task;

    /// <summary>Connects (bounded by ConnectTimeout) and binds (bounded by ResponseTimeout). Call once.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken = default)
    {
        lock (_sync)
        {
            if (_opened)
            {
                throw new InvalidOperationException($"Session {SessionId} was already opened; create a new session to reconnect");
            }

            _opened = true;
        }
        await ConnectSocketAsync(cancellationToken).ConfigureAwait(false);
        StartLoops();
        await BindAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ConnectSocketAsync(CancellationToken cancellationToken)
    {
        SetState(new SmppSessionStateChange(SmppSessionState.Connecting, Detail: $"{Options.Host}:{Options.Port}"));
        var endpoint = $"{Options.Host}:{Options.Port}";
        using var timeout = new CancellationTokenSource(Options.ConnectTimeout, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Stream? stream = null;
        try
        {
            await socket.ConnectAsync(Options.Host, Options.Port, linked.Token).ConfigureAwait(false);
            stream = new NetworkStream(socket, ownsSocket: true);
            if (Options.UseTls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = ssl;
                var authentication = new SslClientAuthenticationOptions { TargetHost = Options.TlsTargetHost ?? Options.Host };
                if (Options.TlsAllowUntrustedCertificate)
                {
                    authentication.RemoteCertificateValidationCallback = static (_, _, _, _) => true;
                }

                await ssl.AuthenticateAsClientAsync(authentication, linked.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException or OperationCanceledException)
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            socket.Dispose();
            var tls = Options.UseTls ? " (TLS)" : "";
            var message = cancellationToken.IsCancellationRequested ? $"Connecting to {endpoint}{tls} was cancelled"
                : e is OperationCanceledException ? $"Could not connect to {endpoint}{tls} within {Options.ConnectTimeout.TotalSeconds:0.###} s"
                : $"Could not connect to {endpoint}{tls}: {e.Message}";
            var failure = new SmppConnectionException(message, e);
            Abort(SmppCloseReason.ConnectFailed, message, null, failure);
            cancellationToken.ThrowIfCancellationRequested();
            throw failure;
        }
        _socket = socket;
        _stream = stream;
        _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024, leaveOpen: true));
        _writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024, leaveOpen: true));
        TouchActivity();
    }

    private void StartLoops()
    {
        // The loops belong to the session, not to whoever opened it: no caller's Activity or async-locals flow in.
        using (ExecutionContext.SuppressFlow())
        {
            _readLoop = Task.Run(ReadLoopAsync);
            _writeLoop = Task.Run(WriteLoopAsync);
        }
    }

    private async Task BindAsync(CancellationToken cancellationToken)
    {
        SetState(new SmppSessionStateChange(SmppSessionState.Binding));
        BindRequest bind = Options.BindType switch
        {
            BindType.Transmitter => new BindTransmitter(),
            BindType.Receiver => new BindReceiver(),
            _ => new BindTransceiver(),
        };
        bind.SystemId = Options.SystemId;
        bind.Password = Options.Password;
        bind.SystemType = Options.SystemType;
        bind.InterfaceVersion = Options.InterfaceVersion;
        bind.AddrTon = Options.AddrTon;
        bind.AddrNpi = Options.AddrNpi;
        bind.AddressRange = Options.AddressRange;
        var bindName = bind.CommandId.Describe();

        Pdu response;
        using (cancellationToken.UnsafeRegister(static s => ((SmppSession)s!).Abort(SmppCloseReason.ConnectFailed, "the bind was cancelled", null, null), this))
        {
            try
            {
                response = await SendCoreAsync<Pdu>(bind, Options.ResponseTimeout, usesWindow: false, CancellationToken.None).ConfigureAwait(false);
            }
            catch (SmppGenericNackException e)
            {
                throw BindRefused(e.Status, $"The SMSC answered {bindName} for system_id \"{Options.SystemId}\" with generic_nack {e.Status.Describe()}");
            }
            catch (SmppRequestException e)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var message = $"Bind ({bindName}) to {Options.Host}:{Options.Port} failed: {e.Message}";
                Abort(SmppCloseReason.ConnectFailed, message, null, e);
                throw new SmppConnectionException(message, e);
            }
        }

        var status = response.CommandStatus;
        if (status != CommandStatus.ESME_ROK)
        {
            throw BindRefused(status, $"The SMSC refused {bindName} for system_id \"{Options.SystemId}\": {status.Describe()}");
        }

        RemoteSystemId = (response as BindResponse)?.SystemId;
        ScInterfaceVersion = response.Tlvs.ScInterfaceVersion;
        lock (_sync)
        {
            if (_closed)
            {
                throw new SmppConnectionException($"Session {SessionId} closed while binding: {_closeDetail}");
            }

            _accepting = true;
        }
        RecordBind(CommandStatus.ESME_ROK);
        OnBound();
        Log.Bound(_logger, SessionId, Options.Host, Options.Port, bindName, RemoteSystemId ?? "", ScInterfaceVersion is { } v ? InterfaceVersion.Describe(v) : "absent");
        SetState(new SmppSessionStateChange(SmppSessionState.Bound, Detail: $"{bindName} as {Options.SystemId} to {RemoteSystemId}"));
        StartKeepalive();
    }

    private SmppBindException BindRefused(CommandStatus status, string message)
    {
        RecordBind(status);
        var refused = new SmppBindException(status, message);
        Abort(SmppCloseReason.BindRefused, message, status, refused);
        return refused;
    }

    /// <summary>
    /// Closes gracefully: stops taking requests, waits for outstanding requests and inbound handlers (bounded by
    /// UnbindTimeout), sends unbind and waits for unbind_resp (bounded by UnbindTimeout; done on SMPP 3.4 too), then
    /// closes the socket. Requests still outstanding then fail with <see cref="SmppSessionClosedException"/>.
    /// Cancelling skips the remaining waits and closes at once. Never throws for the SMSC's sake.
    /// </summary>
    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        bool unbind, inProgress;
        TaskCompletionSource? drained = null;
        lock (_sync)
        {
            inProgress = !_closed && (_localClose || _remoteUnbind);
            unbind = !_closed && !inProgress && _state == SmppSessionState.Bound;
            if (!_closed && !inProgress)
            {
                _localClose = true;
                _accepting = false;
                if (unbind)
                {
                    drained = _drained = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
        if (inProgress)
        {
            // Another close (ours or the SMSC's unbind) is under way: let it finish, within the same bound.
            try
            {
                await Completion.WaitAsync(Options.UnbindTimeout + Options.UnbindTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is TimeoutException or OperationCanceledException)
            {
                // Fall through to closing now.
            }
        }
        else if (unbind)
        {
            SetState(new SmppSessionStateChange(SmppSessionState.Unbinding, SmppCloseReason.LocalClose, Detail: "closed by the application"));
            await _stopAcceptingCts.CancelAsync().ConfigureAwait(false);
            try
            {
                CheckDrained();
                try
                {
                    await drained!.Task.WaitAsync(Options.UnbindTimeout, _timeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    Log.DrainTimedOut(_logger, SessionId, WindowInUse, Volatile.Read(ref _inboundInFlight), Options.UnbindTimeout.TotalSeconds);
                }
                await SendCoreAsync<UnbindResp>(new Unbind(), Options.UnbindTimeout, usesWindow: false, CancellationToken.None)
                    .AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is SmppException or OperationCanceledException)
            {
                Log.UnbindFailed(_logger, SessionId, e.Message);
            }
        }
        Abort(SmppCloseReason.LocalClose, "closed by the application", null, null);
        await WaitForLoopsAsync().ConfigureAwait(false);
        await Completion.ConfigureAwait(false);
    }

    public ValueTask DisposeAsync() => new(CloseAsync());

    private async Task WaitForLoopsAsync()
    {
        // Abort disposed the socket, so both loops end promptly; neither ever faults.
        await _readLoop.ConfigureAwait(false);
        await _writeLoop.ConfigureAwait(false);
        await _keepalive.ConfigureAwait(false);
    }

    /// <summary>
    /// Ends the session now: fails every outstanding request (each saying whether it was sent), closes the socket and
    /// raises the Closed state. Idempotent; the first reason wins.
    /// </summary>
    private void Abort(SmppCloseReason reason, string detail, CommandStatus? status, Exception? exception)
    {
        PendingRequest[] outstanding;
        bool wasBound;
        lock (_sync)
        {
            if (_closed)
            {
                return;
            }
            // The SMSC dropping the connection during a close it was part of is the close finishing, not a failure.
            if (reason == SmppCloseReason.NetworkError && _localClose)
            {
                reason = SmppCloseReason.LocalClose;
            }
            else if (reason == SmppCloseReason.NetworkError && _remoteUnbind)
            {
                reason = SmppCloseReason.RemoteUnbind;
            }

            _closed = true;
            _accepting = false;
            _closeReason = reason;
            _closeDetail = detail;
            wasBound = _state is SmppSessionState.Bound or SmppSessionState.Unbinding;
            outstanding = new PendingRequest[_pending.Count];
            _pending.Values.CopyTo(outstanding, 0);
            _pending.Clear();
            _deadlineHead = _deadlineTail = null;
        }

        _timeoutTimer.Dispose();
        _keepaliveTimer.Dispose();
        _outbound.Writer.TryComplete();
        // Closing the socket first means anything not yet marked sent below can no longer reach the wire.
        _reader?.CancelPendingRead();
        try
        {
            _stream?.Dispose();
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // TLS close_notify on a dead connection: nothing left to do.
        }
        _socket?.Dispose();
        _stopAcceptingCts.Cancel();
        _abortCts.Cancel();

        foreach (var pending in outstanding)
        {
            pending.Fail(static (p, wasSent, session) => session.ClosedException(p.Command, p.SequenceNumber, wasSent), this);
            if (pending.UsesWindow)
            {
                ReleaseWindow();
            }
        }
        if (wasBound)
        {
            OnUnbound();
        }

        if (reason is SmppCloseReason.LocalClose or SmppCloseReason.RemoteUnbind)
        {
            Log.Closed(_logger, SessionId, reason, detail, outstanding.Length);
        }
        else
        {
            Log.ClosedOnError(_logger, exception, SessionId, reason, detail, outstanding.Length);
        }

        SetState(new SmppSessionStateChange(SmppSessionState.Closed, reason, status, exception, detail));
        _completion.TrySetResult();
    }

    private SmppSessionClosedException ClosedException(CommandId command, uint sequenceNumber, bool wasSent)
    {
        SmppCloseReason reason;
        string? detail;
        lock (_sync)
        {
            reason = _closed ? _closeReason : _remoteUnbind ? SmppCloseReason.RemoteUnbind : SmppCloseReason.LocalClose;
            detail = _closed ? _closeDetail : "the session is closing";
        }
        return new SmppSessionClosedException(command, sequenceNumber, wasSent, reason, SessionId, detail);
    }

    private void SetState(SmppSessionStateChange change)
    {
        lock (_sync)
        {
            // Closed is final: a close racing with an unbind or a bind must not bring the state back.
            if (_state == SmppSessionState.Closed)
            {
                return;
            }

            _state = change.State;
        }
        var handlers = StateChanged;
        if (handlers is null)
        {
            return;
        }

        foreach (var handler in handlers.GetInvocationList())
        {
            try
            {
                ((Action<SmppSession, SmppSessionStateChange>)handler)(this, change);
            }
            catch (Exception e)
            {
                Log.StateHandlerFailed(_logger, e, SessionId, change.State);
            }
        }
    }

    private void TouchActivity() => Volatile.Write(ref _lastActivity, _timeProvider.GetTimestamp());

    public override string ToString() => $"SMPP session {SessionId} ({_state}) {Options.Host}:{Options.Port} as {Options.SystemId}";

    /// <summary>One PDU for the write loop; <see cref="Pending"/> and <see cref="WriteToken"/> when it is a request we wait on.</summary>
    private readonly record struct OutboundPdu(Pdu Pdu, PendingRequest? Pending = null, long WriteToken = 0, bool CloseAfterWrite = false);
}
