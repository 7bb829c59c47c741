namespace Instasent.SmppAdapter.Sessions;

/// <summary>
/// Hands out one connection's window (its sessions × window size) to two lanes, high first. Every submit_sm holds a
/// slot from before it waits for the rate limiter until its answer. Normal submits may hold at most
/// <c>slots − reservedForHigh</c>, so a high one finds a free slot even under a full backlog; and no normal submit is
/// admitted while a high command waits, whether at this gate or anywhere between its arrival and its next segment
/// (<see cref="ExpectHigh"/>): high commands overtake normal ones already taken from the queue. Strict priority: a flood
/// of high commands holds normal ones back for as long as it lasts.
/// </summary>
public sealed class PriorityLanes
{
    private readonly object _lock = new();
    private readonly LinkedList<Waiter> _high = [];
    private readonly LinkedList<Waiter> _normal = [];
    private int _held;
    private int _normalHeld;
    private int _highWaiting;

    /// <param name="slots">The connection's total window.</param>
    /// <param name="reservedForHigh">Slots normal submits never take (0..slots − 1).</param>
    public PriorityLanes(int slots, int reservedForHigh)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(reservedForHigh);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(reservedForHigh, slots);
        Slots = slots;
        NormalSlots = slots - reservedForHigh;
    }

    /// <summary>Slots in all (the connection's total window).</summary>
    public int Slots { get; }

    /// <summary>The most slots normal submits hold at once.</summary>
    public int NormalSlots { get; }

    /// <summary>Slots held right now, by both lanes.</summary>
    public int Held
    {
        get
        {
            lock (_lock)
            {
                return _held;
            }
        }
    }

    /// <summary>
    /// A high command has arrived: from now until the ticket is disposed, whenever it holds no slot (before its first
    /// segment, between segments, in a back-off) no normal submit is admitted.
    /// </summary>
    public HighTicket ExpectHigh()
    {
        lock (_lock)
        {
            _highWaiting++;
        }
        return new HighTicket(this);
    }

    /// <summary>
    /// Waits for a slot: in the high lane with <paramref name="high"/> (the command's ticket), else in the normal one.
    /// Dispose the slot once the submit_sm was answered (or failed). High waiters are served before normal ones, each
    /// lane in arrival order.
    /// </summary>
    public ValueTask<IDisposable> EnterAsync(HighTicket? high, CancellationToken cancellationToken)
    {
        if (high is not null && high.Lanes != this)
        {
            throw new ArgumentException("the ticket belongs to another connection", nameof(high));
        }
        Waiter waiter;
        lock (_lock)
        {
            if (high?.State == TicketState.Ended)
            {
                throw new ObjectDisposedException(nameof(HighTicket));
            }
            if ((high is null ? _normal : _high).Count == 0 && CanAdmit(high is not null))
            {
                var slot = Take(high);
                // A high command taking its slot stops holding normal ones back.
                Pump();
                return ValueTask.FromResult<IDisposable>(slot);
            }
            cancellationToken.ThrowIfCancellationRequested();
            waiter = new Waiter(high);
            waiter.Node = (high is null ? _normal : _high).AddLast(waiter);
        }
        // Registered outside the lock: a token cancelled meanwhile runs the callback here, which takes the lock. Once
        // admitted, the callback finds the waiter gone from its lane and does nothing.
        var registration = cancellationToken.Register(() => Cancel(waiter, cancellationToken));
        lock (_lock)
        {
            if (waiter.Node?.List is null)
            {
                registration.Unregister();
            }
            else
            {
                waiter.Registration = registration;
            }
        }
        // The task completes as the slot is granted (its continuations run asynchronously, outside the lock).
        return new ValueTask<IDisposable>(waiter.Admitted.Task);
    }

    private void Cancel(Waiter waiter, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (waiter.Node?.List is null)
            {
                // Admitted already: the slot is the caller's, released when it disposes it.
                return;
            }
            waiter.Node.List.Remove(waiter.Node);
            Pump();
        }
        waiter.Admitted.TrySetCanceled(cancellationToken);
    }

    /// <summary>High: any free slot. Normal: a slot of its share, and only while no high command waits.</summary>
    private bool CanAdmit(bool high) => _held < Slots && (high || (_normalHeld < NormalSlots && _highWaiting == 0));

    /// <summary>Takes a slot (under the lock).</summary>
    private Slot Take(HighTicket? high)
    {
        _held++;
        if (high is null)
        {
            _normalHeld++;
        }
        else if (high.State == TicketState.Waiting)
        {
            high.State = TicketState.Holding;
            _highWaiting--;
        }
        return new Slot(this, high);
    }

    private void Release(HighTicket? high)
    {
        lock (_lock)
        {
            _held--;
            if (high is null)
            {
                _normalHeld--;
            }
            else if (high.State == TicketState.Holding)
            {
                // The command is not done until its ticket is disposed: its next segment still comes first.
                high.State = TicketState.Waiting;
                _highWaiting++;
            }
            Pump();
        }
    }

    private void End(HighTicket ticket)
    {
        lock (_lock)
        {
            if (ticket.State == TicketState.Waiting)
            {
                _highWaiting--;
            }
            ticket.State = TicketState.Ended;
            Pump();
        }
    }

    /// <summary>Admits waiters while slots allow, high first. Called under the lock; completions run asynchronously.</summary>
    private void Pump()
    {
        while (true)
        {
            var next = _high.First ?? _normal.First;
            if (next is null || !CanAdmit(next.Value.High is not null))
            {
                return;
            }
            next.List!.Remove(next);
            next.Value.Registration.Unregister();
            next.Value.Admitted.TrySetResult(Take(next.Value.High));
        }
    }

    internal enum TicketState
    {
        Waiting,
        Holding,
        Ended,
    }

    /// <summary>One high command's place in the high lane, from its arrival to its outcome (<see cref="ExpectHigh"/>).</summary>
    public sealed class HighTicket : IDisposable
    {
        internal HighTicket(PriorityLanes lanes) => Lanes = lanes;

        internal PriorityLanes Lanes { get; }

        internal TicketState State { get; set; }

        public void Dispose() => Lanes.End(this);
    }

    private sealed class Waiter(HighTicket? high)
    {
        public HighTicket? High { get; } = high;
        public LinkedListNode<Waiter>? Node { get; set; }
        public CancellationTokenRegistration Registration { get; set; }
        public TaskCompletionSource<IDisposable> Admitted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class Slot(PriorityLanes lanes, HighTicket? high) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                lanes.Release(high);
            }
        }
    }
}
