using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Instasent.SmppAdapter.Telemetry;

/// <summary>
/// The adapter's ActivitySource and Meter (<c>Instasent.SmppAdapter</c>) and its instruments, named as HELPERS.md fixes
/// them (dashboards and alerts use these names). Phone numbers are masked before they reach a tag; text never does.
/// </summary>
public static class AdapterTelemetry
{
    public const string Name = "Instasent.SmppAdapter";

    /// <summary>The protocol library's source and meter (spans <c>smpp submit_sm</c>, <c>smpp bind_*</c>, ...).</summary>
    public const string SmppLibraryName = "Instasent.Smpp";

    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public static readonly Counter<long> Submitted = Meter.CreateCounter<long>("smpp.adapter.messages.submitted", "{message}", "Commands whose every segment the SMSC accepted.");
    public static readonly Counter<long> Rejected = Meter.CreateCounter<long>("smpp.adapter.messages.rejected", "{message}", "Commands answered with SmsRejected.");
    public static readonly Counter<long> Retried = Meter.CreateCounter<long>("smpp.adapter.messages.retried", "{segment}", "Segments sent again (throttled, unknown outcome).");
    public static readonly Counter<long> Receipts = Meter.CreateCounter<long>("smpp.adapter.receipts", "{receipt}", "Delivery receipts received.");
    public static readonly Histogram<double> ReceiptLag = Meter.CreateHistogram<double>("smpp.adapter.receipt.lag", "s", "From the submit to the receipt's arrival.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 14400, 86400] });
    public static readonly Counter<long> Inbound = Meter.CreateCounter<long>("smpp.adapter.inbound", "{message}", "Inbound (MO) messages published.");
    public static readonly Counter<long> InboundExpired = Meter.CreateCounter<long>("smpp.adapter.inbound.expired", "{message}",
        "Long inbound messages dropped because their parts did not all arrive (or were not published) within Adapter:InboundPartExpiry.");
    public static readonly Counter<long> InboundDuplicateParts = Meter.CreateCounter<long>("smpp.adapter.inbound.duplicate_parts", "{part}",
        "Parts of long inbound messages dropped because they were already stored or already published (the SMSC sent them again).");
    public static readonly Counter<long> Forwarded = Meter.CreateCounter<long>("smpp.adapter.commands.forwarded", "{command}",
        "Commands the consumer of smpp-send-sms sent on to their connection's queue (a second broker hop), by reason: router (one hop per command is off, or several connections), high, queue_closed, no_slot.");
    public static readonly Histogram<double> SendDuration = Meter.CreateHistogram<double>("smpp.adapter.send.duration", "s", "From consuming a SendSms to its outcome published.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    public static readonly Histogram<double> RedisDuration = Meter.CreateHistogram<double>("smpp.adapter.redis.duration", "s", "Round trip of one Redis operation (a command or a script), by operation.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
    public static readonly Counter<long> RedisErrors = Meter.CreateCounter<long>("smpp.adapter.redis.errors", "{error}", "Redis operations that failed (unreachable, timed out, refused), by operation and error type.");
    public static readonly UpDownCounter<long> BindSlotsWaiting = Meter.CreateUpDownCounter<long>("smpp.adapter.bind_slots.waiting", "{session}", "Session slots waiting for one of the account's MaxBinds (every bind slot held elsewhere, or the slot store unreachable).");
    public static readonly Counter<long> PublishDeadlinesExceeded = Meter.CreateCounter<long>("smpp.adapter.publish.deadlines_exceeded", "{publish}",
        "Publishes to the broker that ran past Adapter:PublishTimeout (the broker held them: a memory or disk alarm, a stalled link), by what was published.");
    public static readonly Counter<long> BindSlotLeasesLost = Meter.CreateCounter<long>("smpp.adapter.bind_slots.lost", "{lease}", "Bound sessions closed because their bind slot lease could not be renewed.");

    public static KeyValuePair<string, object?> RedisOperation(string operation) => new("redis.operation", operation);

    /// <summary>The caller's <c>SendSms.messageId</c> on a span (a business id, so not <c>messaging.message.id</c>).</summary>
    public const string MessageId = "smpp.adapter.message_id";

    /// <summary>OpenTelemetry's <c>error.type</c>: the command_status name, or the exception's type, of a failure.</summary>
    public const string ErrorType = "error.type";

    public static KeyValuePair<string, object?> Connection(string name) => new("smpp.connection", name);

    /// <summary>
    /// A producer span of the adapter's own, <c>&lt;destination&gt; &lt;operation&gt;</c> (an event's exchange and
    /// <c>publish</c>, a connection's queue and <c>send</c>), with the messaging attributes MassTransit puts on its
    /// producer spans; null when nothing samples it.
    /// </summary>
    public static Activity? StartPublishSpan(string destination, string operation, Guid brokerMessageId)
    {
        var span = Source.StartActivity(destination + " " + operation, ActivityKind.Producer);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("messaging.system", "rabbitmq");
            span.SetTag("messaging.operation.type", "send");
            span.SetTag("messaging.destination.name", destination);
            span.SetTag("messaging.message.id", brokerMessageId.ToString());
        }
        return span;
    }

    /// <summary>
    /// A consumer span of the adapter's own over a RabbitMQ queue, with the OpenTelemetry messaging attributes
    /// MassTransit puts on its spans (system, operation, destination, the broker message's id).
    /// </summary>
    public static Activity? StartConsumeSpan(string name, string queue, string? brokerMessageId, ActivityContext parent, IEnumerable<ActivityLink>? links)
    {
        var span = Source.StartActivity(name, ActivityKind.Consumer, parent, links: links);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("messaging.system", "rabbitmq");
            span.SetTag("messaging.operation.type", "process");
            span.SetTag("messaging.destination.name", queue);
            span.SetTag("messaging.message.id", brokerMessageId);
        }
        return span;
    }
}
