using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Telemetry;

namespace Instasent.SmppAdapter.Hosting;

/// <summary>
/// Gives every publish to the broker its deadline (<c>Adapter:PublishTimeout</c>), so a broker that blocks publishers (a
/// memory or disk alarm) cannot hold a command or a deliver_sm forever, and counts the publishes that ran past it, by
/// what was published: the metric <c>smpp.adapter.publish.deadlines_exceeded</c> (tag <c>publish</c>), and
/// <see cref="Exceeded"/> for this process. A count that grows says the broker holds publishes (ops/RUNBOOK.md).
/// </summary>
/// <remarks>
/// Publishes share their deadline's token: every publish that starts within one eighth of <c>PublishTimeout</c> gets
/// the same one, which fires <c>PublishTimeout</c> and an eighth after the first of them started. So each publish is
/// given up between <c>PublishTimeout</c> and 1.125 × <c>PublishTimeout</c> after it started, never sooner, and costs no
/// timer and no token source of its own (three publishes per command with receipts).
/// </remarks>
public sealed class PublishDeadlines(SendingOptions options, TimeProvider time)
{
    /// <summary>A command's outcome event (SmsSubmitted, SmsRejected), first or again.</summary>
    public const string Outcome = "outcome";

    /// <summary>A command sent back to its connection's queue.</summary>
    public const string HandBack = "hand_back";

    /// <summary>A command the router forwards to its connection's queue.</summary>
    public const string Forward = "forward";

    /// <summary>What a deliver_sm carried (a receipt, or an inbound part), before it is answered.</summary>
    public const string DeliverSm = "deliver_sm";

    /// <summary>An inbound SMS, reassembled from its parts.</summary>
    public const string InboundSms = "inbound_sms";

    /// <summary>A session event (bound, bind failed, unbound).</summary>
    public const string SessionEvent = "session_event";

    private readonly ConcurrentDictionary<string, StrongBox<long>> _exceeded = new(StringComparer.Ordinal);
    private SharedDeadline? _shared;

    /// <summary>The deadline of one <paramref name="publish"/> (one of the constants above); dispose it when the publish is done.</summary>
    public Deadline Start(string publish, CancellationToken cancellationToken) => new(this, publish, SharedToken(), cancellationToken);

    /// <summary>The token of the publishes starting now: a new one once the current one is an eighth of the timeout old.</summary>
    private CancellationToken SharedToken()
    {
        var now = time.GetTimestamp();
        var current = Volatile.Read(ref _shared);
        if (current is not null && time.GetElapsedTime(current.Since, now) < current.Width)
        {
            return current.Source.Token;
        }
        var width = options.PublishTimeout / 8;
        // The TimeProvider's own timer (tests' clocks hold). A source is never disposed: once its timer fires nothing
        // holds it, and those that fire are at most nine at any time.
        var next = new SharedDeadline(new CancellationTokenSource(options.PublishTimeout + width, time), now, width);
        var seen = Interlocked.CompareExchange(ref _shared, next, current);
        if (seen != current)
        {
            // Another publish started a new one at the same moment: use it.
            next.Source.Dispose();
            return seen!.Source.Token;
        }
        return next.Source.Token;
    }

    /// <summary>How many publishes of kind <paramref name="publish"/> ran past their deadline since this process started.</summary>
    public long Exceeded(string publish) => _exceeded.TryGetValue(publish, out var count) ? Interlocked.Read(ref count.Value) : 0;

    private sealed record SharedDeadline(CancellationTokenSource Source, long Since, TimeSpan Width);

    internal void CountExceeded(string publish)
    {
        Interlocked.Increment(ref _exceeded.GetOrAdd(publish, static _ => new StrongBox<long>()).Value);
        AdapterTelemetry.PublishDeadlinesExceeded.Add(1, new KeyValuePair<string, object?>("publish", publish));
    }
}
