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
    public static readonly Histogram<double> SendDuration = Meter.CreateHistogram<double>("smpp.adapter.send.duration", "s", "From consuming a SendSms to its outcome published.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    /// <summary>The caller's <c>SendSms.messageId</c> on a span (a business id, so not <c>messaging.message.id</c>).</summary>
    public const string MessageId = "smpp.adapter.message_id";

    /// <summary>OpenTelemetry's <c>error.type</c>: the command_status name, or the exception's type, of a failure.</summary>
    public const string ErrorType = "error.type";

    public static KeyValuePair<string, object?> Connection(string name) => new("smpp.connection", name);

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
