using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Stores;

namespace Instasent.SmppAdapter.Sessions;

/// <summary>
/// The sessions of one connection (account): <c>Sessions</c> transceivers, or as many transmitters plus as many
/// receivers, each kept bound by a <see cref="SessionSupervisor"/>; dispatch to the least busy bound transmitter; one
/// <see cref="SubmitRateLimiter"/> shared by all of them, drawing on the account's budget (<see cref="IAccountBudgets"/>),
/// and one <see cref="PriorityLanes"/> (the total window, high first); each session binds only while it holds one of the
/// account's bind slots.
/// </summary>
public sealed class ConnectionSessions : IAsyncDisposable
{
    private readonly List<SessionSupervisor> _supervisors = [];
    private readonly object _signalLock = new();
    private TaskCompletionSource _changed = NewSignal();
    private bool _lastAvailability;
    private CancellationTokenSource? _stopping;
    private Task[] _running = [];
    private int _stopped;

    internal ConnectionSessions(SmppConnectionOptions options, SendingOptions sending, ISmppInboundHandler inbound, SessionEventChannel events,
        IAccountBudgets budgets, TimeProvider time, ILoggerFactory loggerFactory)
    {
        Options = options;
        Limiter = new SubmitRateLimiter(options.MaxSubmitsPerSecond, sending.ThrottleBackoffMin, sending.ThrottleBackoffMax, time,
            budgets.SubmitTokens(options));
        var slots = budgets.BindSlots(options);
        Lanes = new PriorityLanes(options.TotalWindow, options.HighPrioritySlots);
        var bindTypes = options.BindType == ConnectionBindType.Transceiver
            ? [BindType.Transceiver]
            : new[] { BindType.Transmitter, BindType.Receiver };
        foreach (var bindType in bindTypes)
        {
            for (var slot = 0; slot < options.Sessions; slot++)
            {
                _supervisors.Add(new SessionSupervisor(options, bindType, slot, inbound, events, slots, time, loggerFactory, OnSessionChanged));
            }
        }
    }

    public SmppConnectionOptions Options { get; }

    public string Name => Options.Name;

    public SubmitRateLimiter Limiter { get; }

    /// <summary>The connection's window, shared by the high and normal lanes.</summary>
    public PriorityLanes Lanes { get; }

    /// <summary>Raised with true when the first transmit-capable session binds and false when the last one goes.</summary>
    public event Action<ConnectionSessions, bool>? TransmitAvailabilityChanged;

    public bool HasBoundTransmitter => _supervisors.Any(s => s.CanTransmit && s.Current is { } session && IsUsable(session));

    public int BindAttempts => _supervisors.Sum(s => s.BindAttempts);

    /// <summary>A transmit-capable session slot waits for one of the account's bind slots (MaxBinds).</summary>
    public bool WaitingForBindSlot => _supervisors.Any(s => s.CanTransmit && s.WaitingForBindSlot);

    public void Start()
    {
        _stopping = new CancellationTokenSource();
        _running = _supervisors.Select(s => Task.Run(() => s.RunAsync(_stopping.Token))).ToArray();
    }

    /// <summary>
    /// A bound transmit-capable session, the one with the most free window; waits (as long as
    /// <paramref name="cancellationToken"/> allows) while none is bound. The session's own window then bounds what is
    /// outstanding on it.
    /// </summary>
    public async ValueTask<SmppSession> AcquireAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_signalLock)
            {
                changed = _changed.Task;
            }
            SmppSession? best = null;
            foreach (var supervisor in _supervisors)
            {
                if (supervisor.CanTransmit && supervisor.Current is { } session && IsUsable(session)
                    && (best is null || session.WindowInUse < best.WindowInUse))
                {
                    best = session;
                }
            }
            if (best is not null)
            {
                return best;
            }
            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public IEnumerable<SessionSnapshot> Snapshot() => _supervisors.Select(s =>
    {
        var session = s.Current;
        return new SessionSnapshot(
            Name,
            session?.SessionId,
            s.BindType.ToString().ToLowerInvariant(),
            session?.State.ToString() ?? (s.WaitingForBindSlot ? "WaitingForBindSlot" : "Reconnecting"),
            session?.WindowInUse ?? 0,
            Options.WindowSize,
            s.BoundAt,
            Options.Host,
            Options.Port,
            s.LastError,
            s.NextBindAt);
    });

    /// <summary>Stops reconnecting and unbinds every session (each drains its window first).</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_stopping is null || Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_running).WaitAsync(cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(_supervisors.Select(s => s.CloseAsync(cancellationToken))).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await StopAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stopping?.Dispose();
        await Limiter.DisposeAsync().ConfigureAwait(false);
    }

    private static bool IsUsable(SmppSession session) => session.State == SmppSessionState.Bound;

    private void OnSessionChanged()
    {
        TaskCompletionSource previous;
        lock (_signalLock)
        {
            previous = _changed;
            _changed = NewSignal();
        }
        previous.TrySetResult();
        var available = HasBoundTransmitter;
        bool raise;
        lock (_signalLock)
        {
            raise = available != _lastAvailability;
            _lastAvailability = available;
        }
        if (raise)
        {
            TransmitAvailabilityChanged?.Invoke(this, available);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// One row of <c>GET /sessions</c>: a session slot, its session while bound, and between binds why the last one failed
/// or ended (<paramref name="LastError"/>) and when it tries again (<paramref name="NextBindAt"/>).
/// </summary>
public sealed record SessionSnapshot(
    string Connection, string? SessionId, string BindType, string State, int WindowInUse, int WindowSize,
    DateTimeOffset? BoundAt, string Host, int Port, string? LastError = null, DateTimeOffset? NextBindAt = null);
