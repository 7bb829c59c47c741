namespace Instasent.SmppAdapter.Simulator;

/// <summary>
/// Misbehaviour on demand. Every property can be changed at any time from any thread (tests, the control HTTP
/// API, the command line); sessions read them as each PDU arrives. Zero, false or null means "behave".
/// </summary>
public sealed class SimulatorFaults
{
    private int _maxSubmitsPerSecond;
    private volatile bool _queueFull;
    private long _responseDelayTicks;
    private volatile bool _dropResponses;
    private volatile bool _ignoreEnquireLink;
    private int _dropConnectionAfterPdus;
    private int _sendMalformedPduNext;
    private long _refuseBindsUntilTicks;

    /// <summary>submit_sm per second per account beyond which the answer is ESME_RTHROTTLED (0x58); 0 for no limit.</summary>
    public int MaxSubmitsPerSecond
    {
        get => Volatile.Read(ref _maxSubmitsPerSecond);
        set => Volatile.Write(ref _maxSubmitsPerSecond, Math.Max(0, value));
    }

    /// <summary>Every submit_sm is answered ESME_RMSGQFUL (0x14).</summary>
    public bool QueueFull
    {
        get => _queueFull;
        set => _queueFull = value;
    }

    /// <summary>submit_sm_resp is sent this long after the submit_sm arrived.</summary>
    public TimeSpan ResponseDelay
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _responseDelayTicks));
        set => Volatile.Write(ref _responseDelayTicks, Math.Max(0, value.Ticks));
    }

    /// <summary>submit_sm is read and then ignored: no response, no message, no receipt.</summary>
    public bool DropResponses
    {
        get => _dropResponses;
        set => _dropResponses = value;
    }

    /// <summary>enquire_link is read and never answered.</summary>
    public bool IgnoreEnquireLink
    {
        get => _ignoreEnquireLink;
        set => _ignoreEnquireLink = value;
    }

    /// <summary>
    /// A connection is dropped (TCP reset) as its Nth PDU arrives, without answering it; 0 never drops. Counts are per
    /// connection from its start, so connections already past N drop at their next PDU.
    /// </summary>
    public int DropConnectionAfterPdus
    {
        get => Volatile.Read(ref _dropConnectionAfterPdus);
        set => Volatile.Write(ref _dropConnectionAfterPdus, Math.Max(0, value));
    }

    /// <summary>
    /// One-shot: the next time the simulator writes to any session it first sends a deliver_sm whose sm_length runs past
    /// the end of the PDU (command_length itself is sound, so a robust ESME answers it with an error and stays in sync).
    /// </summary>
    public bool SendMalformedPduNext
    {
        get => Volatile.Read(ref _sendMalformedPduNext) != 0;
        set => Volatile.Write(ref _sendMalformedPduNext, value ? 1 : 0);
    }

    /// <summary>Binds are answered ESME_RBINDFAIL (0x0D) until this time.</summary>
    public DateTimeOffset? RefuseBindsUntil
    {
        get => Volatile.Read(ref _refuseBindsUntilTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;
        set => Volatile.Write(ref _refuseBindsUntilTicks, value?.UtcTicks ?? 0);
    }

    internal bool TryConsumeMalformedPdu() =>
        Volatile.Read(ref _sendMalformedPduNext) != 0 && Interlocked.Exchange(ref _sendMalformedPduNext, 0) != 0;

    internal bool RefusesBindsAt(DateTimeOffset now) => Volatile.Read(ref _refuseBindsUntilTicks) is var t and > 0 && now.UtcTicks < t;

    /// <summary>Back to good behaviour.</summary>
    public void Reset()
    {
        MaxSubmitsPerSecond = 0;
        QueueFull = false;
        ResponseDelay = TimeSpan.Zero;
        DropResponses = false;
        IgnoreEnquireLink = false;
        DropConnectionAfterPdus = 0;
        SendMalformedPduNext = false;
        RefuseBindsUntil = null;
    }

    /// <summary>A copy of the current settings (for <c>GET /faults</c> and logs).</summary>
    public FaultSettings Snapshot() => new()
    {
        MaxSubmitsPerSecond = MaxSubmitsPerSecond,
        QueueFull = QueueFull,
        ResponseDelay = ResponseDelay,
        DropResponses = DropResponses,
        IgnoreEnquireLink = IgnoreEnquireLink,
        DropConnectionAfterPdus = DropConnectionAfterPdus,
        SendMalformedPduNext = SendMalformedPduNext,
        RefuseBindsUntil = RefuseBindsUntil,
    };

    /// <summary>Sets every property <paramref name="update"/> carries; leaves the others as they are.</summary>
    public void Apply(FaultSettings update, TimeProvider time)
    {
        if (update.MaxSubmitsPerSecond is { } tps) MaxSubmitsPerSecond = tps;
        if (update.QueueFull is { } full) QueueFull = full;
        if (update.ResponseDelay is { } delay) ResponseDelay = delay;
        if (update.DropResponses is { } drop) DropResponses = drop;
        if (update.IgnoreEnquireLink is { } ignore) IgnoreEnquireLink = ignore;
        if (update.DropConnectionAfterPdus is { } n) DropConnectionAfterPdus = n;
        if (update.SendMalformedPduNext is { } malformed) SendMalformedPduNext = malformed;
        if (update.RefuseBindsUntil is { } until) RefuseBindsUntil = until;
        if (update.RefuseBindsFor is { } span) RefuseBindsUntil = span > TimeSpan.Zero ? time.GetUtcNow() + span : null;
    }

    public override string ToString() => Snapshot().ToString();
}

/// <summary>
/// A partial set of fault settings (the JSON body of <c>POST /faults</c>): null leaves a setting unchanged.
/// <see cref="RefuseBindsFor"/> is the relative form of <see cref="RefuseBindsUntil"/>; zero clears it.
/// </summary>
public sealed record FaultSettings
{
    public int? MaxSubmitsPerSecond { get; init; }
    public bool? QueueFull { get; init; }
    public TimeSpan? ResponseDelay { get; init; }
    public bool? DropResponses { get; init; }
    public bool? IgnoreEnquireLink { get; init; }
    public int? DropConnectionAfterPdus { get; init; }
    public bool? SendMalformedPduNext { get; init; }
    public DateTimeOffset? RefuseBindsUntil { get; init; }
    public TimeSpan? RefuseBindsFor { get; init; }
}
