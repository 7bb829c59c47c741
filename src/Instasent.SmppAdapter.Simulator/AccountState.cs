namespace Instasent.SmppAdapter.Simulator;

/// <summary>
/// One account's live state: how many sessions are bound, which of them can receive deliver_sm, the receipts and
/// MO waiting for one of those, and the submit_sm rate. Everything mutable is guarded by <see cref="_lock"/>.
/// </summary>
internal sealed class AccountState(SimulatorAccount account, int deliverWindow)
{
    private readonly Lock _lock = new();
    private readonly List<SimulatorSession> _receivers = [];
    private readonly Queue<PendingDelivery> _waiting = new();
    private int _activeBinds;
    private int _nextReceiver;
    private double _tokens = double.NaN;
    private long _tokensAt;

    public SimulatorAccount Account { get; } = account;

    public bool TryAddBind()
    {
        lock (_lock)
        {
            if (_activeBinds >= Account.MaxBinds)
            {
                return false;
            }

            _activeBinds++;
            return true;
        }
    }

    /// <summary>A bound session closed; its outstanding deliveries are the caller's to retry.</summary>
    public void RemoveBind(SimulatorSession connection)
    {
        lock (_lock)
        {
            _activeBinds--;
            _receivers.Remove(connection);
        }
    }

    /// <summary>A receiver-capable session bound: it takes waiting deliveries up to its window, returned to be sent.</summary>
    public List<PendingDelivery>? AddReceiver(SimulatorSession connection)
    {
        lock (_lock)
        {
            _receivers.Add(connection);
            return TakeWaiting(connection);
        }
    }

    /// <summary>
    /// Picks the next receiver-capable session with a free window slot (round-robin) and reserves the slot; null
    /// puts <paramref name="delivery"/> in the waiting queue until a session binds or a slot frees.
    /// </summary>
    public SimulatorSession? Route(PendingDelivery delivery)
    {
        lock (_lock)
        {
            for (var i = 0; i < _receivers.Count; i++)
            {
                var candidate = _receivers[(_nextReceiver + i) % _receivers.Count];
                if (candidate.Window < deliverWindow)
                {
                    _nextReceiver = (_nextReceiver + i + 1) % _receivers.Count;
                    candidate.Window++;
                    return candidate;
                }
            }
            _waiting.Enqueue(delivery);
            return null;
        }
    }

    /// <summary>A deliver_sm on <paramref name="connection"/> was answered or timed out: refill its window from the waiting queue.</summary>
    public List<PendingDelivery>? ReleaseSlots(SimulatorSession connection, int slots)
    {
        lock (_lock)
        {
            connection.Window -= slots;
            return _receivers.Contains(connection) ? TakeWaiting(connection) : null;
        }
    }

    private List<PendingDelivery>? TakeWaiting(SimulatorSession connection)
    {
        List<PendingDelivery>? taken = null;
        while (connection.Window < deliverWindow && _waiting.TryDequeue(out var delivery))
        {
            (taken ??= []).Add(delivery);
            connection.Window++;
        }
        return taken;
    }

    /// <summary>
    /// Token bucket of <paramref name="perSecond"/> tokens refilled continuously, holding at most one second's worth:
    /// a burst up to the limit passes, a sustained rate above it is refused.
    /// </summary>
    public bool TryTakeSubmitToken(int perSecond, long timestamp, TimeProvider time)
    {
        if (perSecond <= 0)
        {
            return true;
        }

        lock (_lock)
        {
            if (double.IsNaN(_tokens))
            {
                _tokens = perSecond;
            }
            else
            {
                var elapsed = time.GetElapsedTime(_tokensAt, timestamp).TotalSeconds;
                _tokens = Math.Min(perSecond, _tokens + Math.Max(0, elapsed) * perSecond);
            }
            _tokensAt = timestamp;
            if (_tokens < 1)
            {
                return false;
            }

            _tokens -= 1;
            return true;
        }
    }

    public int WaitingCount
    {
        get
        {
            lock (_lock)
            {
                return _waiting.Count;
            }
        }
    }
}
