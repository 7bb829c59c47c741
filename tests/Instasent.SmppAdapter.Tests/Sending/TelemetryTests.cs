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
        // The receipt's span starts a trace of its own (linked to the submit): recorded only when the adapter starts traces.
        await using var adapter = await AdapterUnderTest.StartAsync(StartTraces, services: s =>
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

    /// <summary>
    /// With no span exporter configured (none here: the in-memory exporter is the test's, added in code), the adapter
    /// records a trace only when its caller sampled it: a command with no trace context leaves no span, a sampled one is
    /// followed through submit_sm. The unsampled command's outcome is awaited first; its "smpp submit" span would have
    /// ended (and been exported) before that outcome was published.
    /// </summary>
    [Fact]
    public async Task Without_an_exporter_only_traces_the_caller_sampled_are_recorded()
    {
        var spans = new List<Activity>();
        await using var adapter = await AdapterUnderTest.StartAsync(services: s =>
            s.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
        var sampledTrace = ActivityTraceId.CreateRandom();

        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            var endpoint = await adapter.Harness.Bus.GetSendEndpoint(new Uri($"queue:{SendSms.QueueName}"));
            await endpoint.Send(new SendSms { MessageId = "untraced-1", From = "Instasent", To = "+34600000001", Text = "hi" });
            await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "untraced-1");
            await endpoint.Send(new SendSms { MessageId = "sampled-1", From = "Instasent", To = "+34600000001", Text = "hi" },
                (SendContext<SendSms> send) => send.Headers.Set(TraceparentFilterHeader, $"00-{sampledTrace}-{ActivitySpanId.CreateRandom()}-01"));
        }
        finally
        {
            Activity.Current = previous;
        }
        await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "sampled-1");
        await adapter.UntilAsync(() => Snapshot(spans).Any(a => a.DisplayName == "smpp submit" && a.TraceId == sampledTrace), "the sampled command's submit span");

        var submits = Snapshot(spans).Where(a => a.DisplayName == "smpp submit").ToList();
        Assert.Contains(submits, a => Equals(a.GetTagItem(Instasent.SmppAdapter.Telemetry.AdapterTelemetry.MessageId), "sampled-1") && a.Recorded);
        Assert.DoesNotContain(submits, a => Equals(a.GetTagItem(Instasent.SmppAdapter.Telemetry.AdapterTelemetry.MessageId), "untraced-1"));
    }

    private static readonly Dictionary<string, string?> StartTraces = new() { ["Telemetry:StartTraces"] = "true" };

    private const string TraceparentFilterHeader = Instasent.SmppAdapter.Hosting.TraceparentFilter<SendSms>.Header;

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
