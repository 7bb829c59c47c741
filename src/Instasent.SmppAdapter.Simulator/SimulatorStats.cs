using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Instasent.SmppAdapter.Simulator;

/// <summary>
/// What the simulator has seen and done since it started. Maps are keyed by command_status name
/// (<c>ESME_RTHROTTLED</c>); a status SMPP does not name appears as <c>0x000000NN</c>.
/// </summary>
public sealed record SimulatorStats
{
    public int Connections { get; init; }
    public int BoundSessions { get; init; }

    /// <summary>The most sessions bound at once since the simulator started (an account's bind budget is checked against it).</summary>
    public int PeakBoundSessions { get; init; }
    public long BindsAccepted { get; init; }
    public IReadOnlyDictionary<string, long> BindsRefused { get; init; } = new Dictionary<string, long>();
    public long SubmitsAccepted { get; init; }

    /// <summary>
    /// The most submit_sm accepted within any one second (a sliding window, all accounts) since the simulator started:
    /// an account's <c>MaxSubmitsPerSecond</c> is checked against it.
    /// </summary>
    public int PeakSubmitsPerSecond { get; init; }

    /// <summary>When the window of <see cref="PeakSubmitsPerSecond"/> ended.</summary>
    public DateTimeOffset? PeakSubmitsPerSecondAt { get; init; }

    /// <summary>
    /// The most submit_sm accepted within any five seconds: the sustained rate, which a pause of this process (a busy
    /// machine) cannot inflate the way it can bunch the arrivals of one second.
    /// </summary>
    public int PeakSubmitsPerFiveSeconds { get; init; }
    public IReadOnlyDictionary<string, long> SubmitsRefused { get; init; } = new Dictionary<string, long>();

    /// <summary>submit_sm swallowed by <see cref="SimulatorFaults.DropResponses"/>.</summary>
    public long SubmitsUnanswered { get; init; }

    /// <summary>Answers to submit_sm held right now by <see cref="SimulatorFaults.HoldResponses"/>.</summary>
    public long ResponsesHeld { get; init; }

    /// <summary>Receipt deliver_sm written, resends included.</summary>
    public long ReceiptsSent { get; init; }

    /// <summary>Receipts the ESME answered with deliver_sm_resp ESME_ROK.</summary>
    public long ReceiptsAcknowledged { get; init; }

    /// <summary>MO deliver_sm (one per segment) written, resends included.</summary>
    public long MoSent { get; init; }

    public long MoAcknowledged { get; init; }

    /// <summary>deliver_sm_resp (and generic_nack answering a deliver_sm) received, by command_status.</summary>
    public IReadOnlyDictionary<string, long> DeliverSmResponses { get; init; } = new Dictionary<string, long>();

    public long DeliveriesRetried { get; init; }
    public long DeliveriesAbandoned { get; init; }

    /// <summary>Receipts and MO waiting for a due time, a receiver-capable session or a free window slot.</summary>
    public long DeliveriesPending { get; init; }

    /// <summary>Of those, the ones due now but waiting for a receiver-capable session of their account to bind (or a free window slot).</summary>
    public long DeliveriesWaitingForReceiver { get; init; }

    public long EnquireLinksAnswered { get; init; }
    public long GenericNacksSent { get; init; }
    public long MalformedPdusSent { get; init; }
    public long ConnectionsDropped { get; init; }
}

/// <summary>The live counters behind <see cref="SimulatorStats"/>; lock-free on the hot path.</summary>
internal sealed class StatsCounters
{
    public int Connections;
    public int BoundSessions;
    public int PeakBoundSessions;
    public long BindsAccepted;
    public long SubmitsAccepted;
    public long SubmitsUnanswered;
    public long ResponsesHeld;
    public long ReceiptsSent;
    public long ReceiptsAcknowledged;
    public long MoSent;
    public long MoAcknowledged;
    public long DeliveriesRetried;
    public long DeliveriesAbandoned;
    public long DeliveriesPending;
    public long EnquireLinksAnswered;
    public long GenericNacksSent;
    public long MalformedPdusSent;
    public long ConnectionsDropped;
    public readonly ConcurrentDictionary<CommandStatus, StrongBox<long>> BindsRefused = new();
    private readonly Lock _lastSecondLock = new();
    private readonly Queue<long> _lastSecond = new();  // timestamps of the submits accepted within the last second
    private readonly Queue<long> _lastFiveSeconds = new();
    private int _peakSubmitsPerSecond;
    private int _peakSubmitsPerFiveSeconds;
    private DateTimeOffset? _peakSubmitsPerSecondAt;
    public readonly ConcurrentDictionary<CommandStatus, StrongBox<long>> SubmitsRefused = new();
    public readonly ConcurrentDictionary<CommandStatus, StrongBox<long>> DeliverSmResponses = new();

    /// <summary>One more session bound; raises the peak when it is a new one.</summary>
    public void CountBound()
    {
        var bound = Interlocked.Increment(ref BoundSessions);
        var peak = Volatile.Read(ref PeakBoundSessions);
        while (bound > peak && Interlocked.CompareExchange(ref PeakBoundSessions, bound, peak) is var seen && seen != peak)
        {
            peak = seen;
        }
    }

    /// <summary>One more submit_sm accepted at <paramref name="timestamp"/>; raises the per-second peak when it is a new one.</summary>
    public void CountSubmitAccepted(long timestamp, TimeProvider time)
    {
        Interlocked.Increment(ref SubmitsAccepted);
        lock (_lastSecondLock)
        {
            if (Window(_lastSecond, TimeSpan.FromSeconds(1)) > _peakSubmitsPerSecond)
            {
                _peakSubmitsPerSecond = _lastSecond.Count;
                _peakSubmitsPerSecondAt = time.GetUtcNow();
            }
            _peakSubmitsPerFiveSeconds = Math.Max(_peakSubmitsPerFiveSeconds, Window(_lastFiveSeconds, TimeSpan.FromSeconds(5)));
        }

        // Bounded: each queue holds at most its window's submits.
        int Window(Queue<long> window, TimeSpan length)
        {
            window.Enqueue(timestamp);
            while (time.GetElapsedTime(window.Peek(), timestamp) >= length)
            {
                window.Dequeue();
            }
            return window.Count;
        }
    }

    private (int PerSecond, DateTimeOffset? At, int PerFiveSeconds) SubmitPeaks
    {
        get
        {
            lock (_lastSecondLock)
            {
                return (_peakSubmitsPerSecond, _peakSubmitsPerSecondAt, _peakSubmitsPerFiveSeconds);
            }
        }
    }

    public static void Count(ConcurrentDictionary<CommandStatus, StrongBox<long>> map, CommandStatus status) =>
        Interlocked.Increment(ref map.GetOrAdd(status, static _ => new StrongBox<long>()).Value);

    public SimulatorStats Snapshot()
    {
        var peaks = SubmitPeaks;
        return new()
        {
            Connections = Volatile.Read(ref Connections),
            BoundSessions = Volatile.Read(ref BoundSessions),
            PeakBoundSessions = Volatile.Read(ref PeakBoundSessions),
            BindsAccepted = Interlocked.Read(ref BindsAccepted),
            BindsRefused = ByName(BindsRefused),
            SubmitsAccepted = Interlocked.Read(ref SubmitsAccepted),
            PeakSubmitsPerSecond = peaks.PerSecond,
            PeakSubmitsPerSecondAt = peaks.At,
            PeakSubmitsPerFiveSeconds = peaks.PerFiveSeconds,
            SubmitsRefused = ByName(SubmitsRefused),
            SubmitsUnanswered = Interlocked.Read(ref SubmitsUnanswered),
            ResponsesHeld = Interlocked.Read(ref ResponsesHeld),
            ReceiptsSent = Interlocked.Read(ref ReceiptsSent),
            ReceiptsAcknowledged = Interlocked.Read(ref ReceiptsAcknowledged),
            MoSent = Interlocked.Read(ref MoSent),
            MoAcknowledged = Interlocked.Read(ref MoAcknowledged),
            DeliverSmResponses = ByName(DeliverSmResponses),
            DeliveriesRetried = Interlocked.Read(ref DeliveriesRetried),
            DeliveriesAbandoned = Interlocked.Read(ref DeliveriesAbandoned),
            DeliveriesPending = Interlocked.Read(ref DeliveriesPending),
            EnquireLinksAnswered = Interlocked.Read(ref EnquireLinksAnswered),
            GenericNacksSent = Interlocked.Read(ref GenericNacksSent),
            MalformedPdusSent = Interlocked.Read(ref MalformedPdusSent),
            ConnectionsDropped = Interlocked.Read(ref ConnectionsDropped),
        };
    }

    private static Dictionary<string, long> ByName(ConcurrentDictionary<CommandStatus, StrongBox<long>> map) =>
        map.ToDictionary(e => e.Key.Name() ?? $"0x{(uint)e.Key:X8}", e => Interlocked.Read(ref e.Value.Value));
}
