using System.Diagnostics;
using Instasent.SmppAdapter.Contracts;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Instasent.SmppAdapter.Tests.Sending;

public sealed class TelemetryTests
{
    [Fact]
    public async Task One_trace_runs_from_the_published_SendSms_through_every_submit_sm_and_the_receipt_links_to_the_submit()
    {
        var spans = new List<Activity>();
        await using var adapter = await AdapterUnderTest.StartAsync(services: s =>
            s.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));

        using var upstreamSource = new ActivitySource("UpstreamTest");
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "UpstreamTest",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        ActivityTraceId traceId;
        using (var upstream = upstreamSource.StartActivity("upstream publish"))
        {
            traceId = upstream!.TraceId;
            await adapter.SendAsync(new SendSms { MessageId = "trace-1", From = "Instasent", To = "+34600000001", Text = new string('t', 200) });
        }
        await adapter.PublishedAsync<SmsDeliveryReported>(m => m.MessageId == "trace-1" && m.Segment == 2);
        await adapter.UntilAsync(() => Snapshot(spans).Count(a => a.DisplayName == "smpp delivery_report" && a.Links.Any(l => l.Context.TraceId == traceId)) >= 2, "the receipt spans exported");

        // Other tests' hosts run in parallel and their spans reach this exporter too: keep this trace's and its links'.
        var all = Snapshot(spans);
        var submits = all.Where(a => a.DisplayName == "smpp submit_sm" && a.TraceId == traceId).ToList();
        Assert.Equal(2, submits.Count);
        Assert.All(submits, s => Assert.Equal(traceId, s.TraceId));
        var wrappers = all.Where(a => a.DisplayName == "smpp submit" && a.TraceId == traceId).ToList();
        Assert.Equal(2, wrappers.Count);
        Assert.All(submits, s => Assert.Contains(wrappers, w => w.SpanId == s.ParentSpanId));
        Assert.All(wrappers, w => Assert.Equal("+34*******01", w.GetTagItem("smpp.destination_addr")));
        var consumer = all.Where(a => a.TraceId == traceId && a.Source.Name == "MassTransit" && a.Kind == ActivityKind.Consumer).ToList();
        Assert.NotEmpty(consumer);

        var reports = all.Where(a => a.DisplayName == "smpp delivery_report" && a.Links.Any(l => l.Context.TraceId == traceId)).ToList();
        Assert.Equal(2, reports.Count);
        Assert.All(reports, r => Assert.Contains(r.Links, l => wrappers.Any(w => w.SpanId == l.Context.SpanId && w.TraceId == l.Context.TraceId)));
        Assert.DoesNotContain(all.SelectMany(a => a.TagObjects), t => t.Value is string v && v.Contains(new string('t', 20), StringComparison.Ordinal));
    }

    private static List<Activity> Snapshot(List<Activity> spans)
    {
        // The exporter appends from its own thread; retry a copy that raced with an append (bounded).
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return [.. spans];
            }
            catch (InvalidOperationException) when (attempt < 100)
            {
            }
        }
    }
}

public sealed class TraceparentTests
{
    [Fact]
    public async Task A_traceparent_header_from_a_non_MassTransit_publisher_continues_that_trace_through_submit_sm()
    {
        var spans = new List<Activity>();
        await using var adapter = await AdapterUnderTest.StartAsync(services: s =>
            s.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
        var callerTrace = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();

        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            var endpoint = await adapter.Harness.Bus.GetSendEndpoint(new Uri($"queue:{SendSms.QueueName}"));
            await endpoint.Send(new SendSms { MessageId = "tp-1", From = "Instasent", To = "+34600000001", Text = "hi" },
                (SendContext<SendSms> send) => send.Headers.Set(TraceparentFilterHeader, $"00-{callerTrace}-{callerSpan}-01"));
        }
        finally
        {
            Activity.Current = previous;
        }
        await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "tp-1");
        await adapter.UntilAsync(() => Copy(spans).Any(a => a.DisplayName == "smpp submit_sm" && a.TraceId == callerTrace), "a submit_sm span in the caller's trace");
    }

    private const string TraceparentFilterHeader = Instasent.SmppAdapter.Hosting.TraceparentFilter<SendSms>.Header;

    private static List<Activity> Copy(List<Activity> spans)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return [.. spans];
            }
            catch (InvalidOperationException) when (attempt < 100)
            {
            }
        }
    }
}
