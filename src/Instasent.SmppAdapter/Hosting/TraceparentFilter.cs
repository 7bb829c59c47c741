using System.Diagnostics;
using Instasent.SmppAdapter.Telemetry;

namespace Instasent.SmppAdapter.Hosting;

/// <summary>
/// Continues the caller's trace for a plain-JSON command published with a bare AMQP client and a W3C
/// <c>traceparent</c> header (DESIGN.md). When the current span (MassTransit's receive/consume span) is not already in
/// that trace, the rest of the pipeline runs under an adapter span whose parent is the header's context, so the
/// forward to the connection queue, the submit_sm spans and the outcome events are all in the caller's trace.
/// Envelope messages sent by MassTransit are already in the right trace; then this does nothing.
/// </summary>
public sealed class TraceparentFilter<T> : IFilter<ConsumeContext<T>> where T : class
{
    public const string Header = "traceparent";

    public async Task Send(ConsumeContext<T> context, IPipe<ConsumeContext<T>> next)
    {
        var traceparent = context.Headers.Get<string>(Header);
        if (traceparent is null
            || !ActivityContext.TryParse(traceparent, context.Headers.Get<string>("tracestate"), isRemote: true, out var parent)
            || Activity.Current?.TraceId == parent.TraceId)
        {
            await next.Send(context).ConfigureAwait(false);
            return;
        }
        var links = Activity.Current is { } current ? new[] { new ActivityLink(current.Context) } : null;
        var queue = context.ReceiveContext.InputAddress?.AbsolutePath.Split('/')[^1] ?? "";
        using var span = AdapterTelemetry.StartConsumeSpan("smpp route", queue, context.MessageId?.ToString(), parent, links);
        await next.Send(context).ConfigureAwait(false);
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("traceparent");
}
