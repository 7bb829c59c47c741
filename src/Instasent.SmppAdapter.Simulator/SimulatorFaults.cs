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
    private int _holdResponses;
    private volatile bool _ignoreEnquireLink;
    private int _dropConnectionAfterPdus;
    private int _sendMalformedPduNext;
    private long _refuseBindsUntilTicks;
    private volatile bool _overlongMessageIds;
    private int _genericNackStatus = (int)CommandStatus.ESME_RTHROTTLED;
    private long _genericNackShareBits;
    private int _genericNackNext;
    private int _refuseSegment;
    private int _refuseSegmentStatus = (int)CommandStatus.ESME_RINVDSTADR;

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

    /// <summary>
    /// submit_sm_resp is sent this long after the submit_sm arrived. Longer than the ESME's response timeout, it is a slow
    /// SMSC: every message is accepted (and counted) but its answer comes too late.
    /// </summary>
    public TimeSpan ResponseDelay
    {
        get => TimeSpan.FromTicks(Volatile.Read(ref _responseDelayTicks));
        set => Volatile.Write(ref _responseDelayTicks, Math.Max(0, value.Ticks));
    }

    /// <summary>
    /// A gate a test opens: while set, every answer to a submit_sm (submit_sm_resp, or a generic_nack) is held; the submit
    /// itself is handled as usual (accepted and counted, its receipt scheduled). Clearing it sends every held answer at
    /// once, in the order they were held. Unlike <see cref="ResponseDelay"/> it takes no clock: what is held stays held
    /// until the test says so, however slow the machine.
    /// </summary>
    public bool HoldResponses
    {
        get => Volatile.Read(ref _holdResponses) != 0;
        set
        {
            if (Interlocked.Exchange(ref _holdResponses, value ? 1 : 0) != 0 && !value)
            {
                HoldReleased?.Invoke();
            }
        }
    }

    /// <summary>Raised when <see cref="HoldResponses"/> goes from set to clear: the simulator sends what it held.</summary>
    internal event Action? HoldReleased;

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

    /// <summary>
    /// Every accepted submit_sm is answered with a 70-octet message_id, past the 65 octets (NUL included) SMPP 3.4 §5.2.23
    /// allows: the message is accepted (counted, its receipt scheduled) but the ESME cannot decode the answer.
    /// </summary>
    public bool OverlongMessageIds
    {
        get => _overlongMessageIds;
        set => _overlongMessageIds = value;
    }

    /// <summary>The command_status of the generic_nack that <see cref="GenericNackShare"/> and <see cref="GenericNackNext"/> send.</summary>
    public CommandStatus GenericNackStatus
    {
        get => (CommandStatus)Volatile.Read(ref _genericNackStatus);
        set => Volatile.Write(ref _genericNackStatus, (int)value);
    }

    /// <summary>This share (0 to 1, drawn at random) of submit_sm is answered generic_nack <see cref="GenericNackStatus"/>, not submit_sm_resp.</summary>
    public double GenericNackShare
    {
        get => BitConverter.Int64BitsToDouble(Interlocked.Read(ref _genericNackShareBits));
        set => Interlocked.Exchange(ref _genericNackShareBits, BitConverter.DoubleToInt64Bits(Math.Clamp(value, 0, 1)));
    }

    /// <summary>The next this many submit_sm are answered generic_nack <see cref="GenericNackStatus"/> (counts down).</summary>
    public int GenericNackNext
    {
        get => Volatile.Read(ref _genericNackNext);
        set => Volatile.Write(ref _genericNackNext, Math.Max(0, value));
    }

    /// <summary>
    /// Segments of a concatenated SMS with this sequence number (UDH or SAR, 1-based) are refused with
    /// <see cref="RefuseSegmentStatus"/>; the other segments are accepted. 0 refuses none.
    /// </summary>
    public int RefuseSegment
    {
        get => Volatile.Read(ref _refuseSegment);
        set => Volatile.Write(ref _refuseSegment, Math.Max(0, value));
    }

    /// <summary>The command_status <see cref="RefuseSegment"/> refuses with (ESME_RINVDSTADR unless set).</summary>
    public CommandStatus RefuseSegmentStatus
    {
        get => (CommandStatus)Volatile.Read(ref _refuseSegmentStatus);
        set => Volatile.Write(ref _refuseSegmentStatus, (int)value);
    }

    /// <summary>Whether this submit_sm gets a generic_nack: one of <see cref="GenericNackNext"/> is used up, or the share draws it.</summary>
    internal bool TakeGenericNack()
    {
        while (Volatile.Read(ref _genericNackNext) is var left and > 0)
        {
            if (Interlocked.CompareExchange(ref _genericNackNext, left - 1, left) == left)
            {
                return true;
            }
        }
        return GenericNackShare is var share and > 0 && Random.Shared.NextDouble() < share;
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
        HoldResponses = false;
        IgnoreEnquireLink = false;
        DropConnectionAfterPdus = 0;
        SendMalformedPduNext = false;
        RefuseBindsUntil = null;
        OverlongMessageIds = false;
        GenericNackStatus = CommandStatus.ESME_RTHROTTLED;
        GenericNackShare = 0;
        GenericNackNext = 0;
        RefuseSegment = 0;
        RefuseSegmentStatus = CommandStatus.ESME_RINVDSTADR;
    }

    /// <summary>A copy of the current settings (for <c>GET /faults</c> and logs).</summary>
    public FaultSettings Snapshot() => new()
    {
        MaxSubmitsPerSecond = MaxSubmitsPerSecond,
        QueueFull = QueueFull,
        ResponseDelay = ResponseDelay,
        DropResponses = DropResponses,
        HoldResponses = HoldResponses,
        IgnoreEnquireLink = IgnoreEnquireLink,
        DropConnectionAfterPdus = DropConnectionAfterPdus,
        SendMalformedPduNext = SendMalformedPduNext,
        RefuseBindsUntil = RefuseBindsUntil,
        OverlongMessageIds = OverlongMessageIds,
        GenericNackStatus = GenericNackStatus,
        GenericNackShare = GenericNackShare,
        GenericNackNext = GenericNackNext,
        RefuseSegment = RefuseSegment,
        RefuseSegmentStatus = RefuseSegmentStatus,
    };

    /// <summary>Sets every property <paramref name="update"/> carries; leaves the others as they are.</summary>
    public void Apply(FaultSettings update, TimeProvider time)
    {
        if (update.MaxSubmitsPerSecond is { } tps)
        {
            MaxSubmitsPerSecond = tps;
        }

        if (update.QueueFull is { } full)
        {
            QueueFull = full;
        }

        if (update.ResponseDelay is { } delay)
        {
            ResponseDelay = delay;
        }

        if (update.DropResponses is { } drop)
        {
            DropResponses = drop;
        }

        if (update.HoldResponses is { } hold)
        {
            HoldResponses = hold;
        }

        if (update.IgnoreEnquireLink is { } ignore)
        {
            IgnoreEnquireLink = ignore;
        }

        if (update.DropConnectionAfterPdus is { } n)
        {
            DropConnectionAfterPdus = n;
        }

        if (update.SendMalformedPduNext is { } malformed)
        {
            SendMalformedPduNext = malformed;
        }

        if (update.RefuseBindsUntil is { } until)
        {
            RefuseBindsUntil = until;
        }

        if (update.OverlongMessageIds is { } overlong)
        {
            OverlongMessageIds = overlong;
        }

        if (update.GenericNackStatus is { } nackStatus)
        {
            GenericNackStatus = nackStatus;
        }

        if (update.GenericNackShare is { } share)
        {
            GenericNackShare = share;
        }

        if (update.GenericNackNext is { } nacks)
        {
            GenericNackNext = nacks;
        }

        if (update.RefuseSegment is { } segment)
        {
            RefuseSegment = segment;
        }

        if (update.RefuseSegmentStatus is { } segmentStatus)
        {
            RefuseSegmentStatus = segmentStatus;
        }

        if (update.RefuseBindsFor is { } span)
        {
            RefuseBindsUntil = span > TimeSpan.Zero ? time.GetUtcNow() + span : null;
        }
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
    public bool? HoldResponses { get; init; }
    public bool? IgnoreEnquireLink { get; init; }
    public int? DropConnectionAfterPdus { get; init; }
    public bool? SendMalformedPduNext { get; init; }
    public DateTimeOffset? RefuseBindsUntil { get; init; }
    public TimeSpan? RefuseBindsFor { get; init; }
    public bool? OverlongMessageIds { get; init; }
    public CommandStatus? GenericNackStatus { get; init; }
    public double? GenericNackShare { get; init; }
    public int? GenericNackNext { get; init; }
    public int? RefuseSegment { get; init; }
    public CommandStatus? RefuseSegmentStatus { get; init; }
}
