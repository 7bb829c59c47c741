using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Stores;
using Instasent.SmppAdapter.Telemetry;

namespace Instasent.SmppAdapter.Sessions;

/// <summary>
/// Keeps one session slot bound: connect, bind, serve until the session ends, then back off with jitter and do it again.
/// A bind refused for credentials waits <c>BindFailureDelay</c> (never hammer an SMSC with a wrong password); other
/// failures wait the exponential back-off between <c>ReconnectDelayMin</c> and <c>ReconnectDelayMax</c>.
/// Every bind, refusal and loss is reported as a session event.
/// Before each bind the slot takes a lease on one of the account's bind slots (<c>MaxBinds</c>, shared by every replica
/// in Redis) and holds it, renewed, while bound; with none free it waits (state <c>WaitingForBindSlot</c> in
/// <c>GET /sessions</c>, the <c>smpp.adapter.bind_slots.waiting</c> gauge, a warning). A lease it cannot renew in time
/// closes the session before the lease lapses, so the account's binds never exceed the budget even while this replica
/// is cut off from Redis.
/// </summary>
internal sealed class SessionSupervisor
{
    /// <summary>The longest a bind slot's release may take before the slot is left to lapse by itself.</summary>
    internal static readonly TimeSpan ReleaseBound = TimeSpan.FromSeconds(1);

    private readonly SmppConnectionOptions _connection;
    private readonly ISmppInboundHandler _inbound;
    private readonly SessionEventChannel _events;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Action _changed;
    private readonly Backoff _backoff;
    private readonly SessionEvents _report;
    private readonly IBindSlots _bindSlots;
    private volatile SmppSession? _current;
    private IBindSlotLease? _lease;
    private CancellationTokenSource? _renewing;
    private Task _renewal = Task.CompletedTask;
    private volatile string? _leaseLost;

    public SessionSupervisor(SmppConnectionOptions connection, BindType bindType, int slot, ISmppInboundHandler inbound,
        SessionEventChannel events, IBindSlots bindSlots, TimeProvider time, ILoggerFactory loggerFactory, Action changed)
    {
        _connection = connection;
        BindType = bindType;
        Slot = slot;
        _inbound = inbound;
        _events = events;
        _bindSlots = bindSlots;
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

    /// <summary>True while every one of the account's bind slots is held elsewhere (or the slot store is unreachable).</summary>
    public bool WaitingForBindSlot { get; private set; }

    public async Task RunAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            var lease = await AcquireBindSlotAsync(stopping).ConfigureAwait(false);
            if (lease is null)
            {
                return;
            }
            _lease = lease;
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
                await ReleaseBindSlotAsync().ConfigureAwait(false);
                return;
            }
            catch (SmppBindException e)
            {
                await ReleaseBindSlotAsync().ConfigureAwait(false);
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
                await ReleaseBindSlotAsync().ConfigureAwait(false);
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
        _leaseLost = null;
        _renewing = new CancellationTokenSource();
        _renewal = KeepBindSlotAsync(_lease!, session, _renewing.Token);
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
        LastError = _leaseLost ?? last?.ToString() ?? "connection closed";
        _events.Write(_report.Unbound(session.SessionId, LastError, last?.CommandStatus));
        await session.DisposeAsync().ConfigureAwait(false);
        await ReleaseBindSlotAsync().ConfigureAwait(false);
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
        await ReleaseBindSlotAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// A lease on one of the account's bind slots; while none is free, waits for a release (or a third of the lease, in
    /// case a dead holder's lease lapsed) and reports the wait. Null when stopping.
    /// </summary>
    private async Task<IBindSlotLease?> AcquireBindSlotAsync(CancellationToken stopping)
    {
        var recheck = _bindSlots.Lease == TimeSpan.MaxValue ? TimeSpan.FromSeconds(5) : _bindSlots.Lease / 3;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                string why;
                try
                {
                    if (await _bindSlots.TryAcquireAsync(stopping).ConfigureAwait(false) is { } lease)
                    {
                        return lease;
                    }
                    why = $"waiting for a bind slot: all {_connection.MaxBinds} of the account's binds (MaxBinds) are held";
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    why = $"waiting for a bind slot: the slot store is unreachable ({e.Message})";
                }
                if (!WaitingForBindSlot)
                {
                    WaitingForBindSlot = true;
                    AdapterTelemetry.BindSlotsWaiting.Add(1, AdapterTelemetry.Connection(_connection.Name));
                    _logger.LogWarning("Session slot {BindType} {Slot} of {Connection} is {Why}; it binds when one is free",
                        BindType, Slot, _connection.Name, why);
                    _changed();
                }
                LastError = why;
                await _bindSlots.WaitForReleaseAsync(recheck, stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            if (WaitingForBindSlot)
            {
                WaitingForBindSlot = false;
                AdapterTelemetry.BindSlotsWaiting.Add(-1, AdapterTelemetry.Connection(_connection.Name));
            }
        }
        return null;
    }

    /// <summary>
    /// Renews the lease every third of its length while <paramref name="session"/> is bound. When renewals keep
    /// failing (Redis away) or the slot was taken over (the lease lapsed), closes the session before the lease can
    /// lapse: a session without a lease must not stay bound, or the account's binds could exceed MaxBinds.
    /// </summary>
    private async Task KeepBindSlotAsync(IBindSlotLease lease, SmppSession session, CancellationToken cancellationToken)
    {
        if (_bindSlots.Lease == TimeSpan.MaxValue)
        {
            return;
        }
        var every = _bindSlots.Lease / 3;
        var heldUntil = _time.GetUtcNow() + _bindSlots.Lease;
        // Bounded: ends when the session ends (cancellation) or when the lease is lost.
        while (true)
        {
            try
            {
                await Task.Delay(every, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var asked = _time.GetUtcNow();
            string lost;
            try
            {
                if (await lease.RenewAsync(cancellationToken).AsTask().WaitAsync(every, _time, cancellationToken).ConfigureAwait(false))
                {
                    heldUntil = asked + _bindSlots.Lease;
                    continue;
                }
                lost = "its bind slot lease lapsed and another holder took the slot";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                if (_time.GetUtcNow() + every < heldUntil)
                {
                    continue;
                }
                lost = $"its bind slot lease could not be renewed ({e.Message})";
            }
            _leaseLost = $"closed: {lost}";
            AdapterTelemetry.BindSlotLeasesLost.Add(1, AdapterTelemetry.Connection(_connection.Name));
            _logger.LogWarning("Closing {SessionId} of {Connection}: {Why}", session.SessionId, _connection.Name, lost);
            // Whatever is left of the lease bounds the unbind; past it the socket is closed at once.
            var left = heldUntil - _time.GetUtcNow();
            using var closing = new CancellationTokenSource(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time);
            await session.CloseAsync(closing.Token).ConfigureAwait(false);
            return;
        }
    }

    /// <summary>Stops renewing and gives the slot back (a release that cannot reach Redis leaves the lease to lapse).</summary>
    private async Task ReleaseBindSlotAsync()
    {
        var renewing = Interlocked.Exchange(ref _renewing, null);
        if (renewing is not null)
        {
            await renewing.CancelAsync().ConfigureAwait(false);
            try
            {
                await _renewal.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The renewal loop ends by its cancellation: the expected way.
            }
            renewing.Dispose();
        }
        if (Interlocked.Exchange(ref _lease, null) is { } lease)
        {
            try
            {
                // Bounded: an unreachable Redis answers only at its own timeout (5 s), which would hold a stop that long;
                // the release only spares the next holder the lease's lapse.
                await lease.DisposeAsync().AsTask().WaitAsync(ReleaseBound, _time).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Redis unreachable (a partition, a shutdown): the lease lapses by itself within BindSlotLease.
                _logger.LogWarning("Could not give bind slot back, it lapses by itself: {Error}", e.Message);
            }
        }
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
