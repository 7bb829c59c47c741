using System.Diagnostics;
using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>One trace from an upstream MassTransit publisher through the broker to every submit_sm; receipts link to the submit.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class TracingTests(RabbitMqBroker broker)
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_trace_runs_publish_then_consume_then_submit_sm_and_each_receipt_links_to_its_submit_span(bool directSubmit)
    {
        var spans = new List<Activity>();
        // The receipt spans start traces of their own (linked to the submit): recorded only when the adapter starts traces.
        var config = new Dictionary<string, string?> { ["Adapter:DirectSubmit"] = directSubmit.ToString(), ["Telemetry:StartTraces"] = "true" };
        await using var run = await AdapterOnBroker.StartAsync(broker, config, services: s =>
            s.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans).AddSource("UpstreamTest")));

        // The upstream service: MassTransit of its own on the same vhost, sending inside a span of its own.
        var upstreamBus = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg => cfg.Host(run.VirtualHost.Uri));
        using var starting = new CancellationTokenSource(AdapterOnBroker.Wait);
        await upstreamBus.StartAsync(starting.Token);
        ActivityTraceId traceId;
        ActivitySpanId upstreamSpanId;
        try
        {
            using var upstreamSource = new ActivitySource("UpstreamTest");
            using (var upstream = upstreamSource.StartActivity("upstream checkout"))
            {
                Assert.NotNull(upstream);
                traceId = upstream.TraceId;
                upstreamSpanId = upstream.SpanId;
                var endpoint = await upstreamBus.GetSendEndpoint(new Uri($"queue:{SendSms.QueueName}"));
                await endpoint.Send(new SendSms { MessageId = "traced-1", From = "Instasent", To = "+34600000042", Text = new string('t', 200) });
            }
        }
        finally
        {
            using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await upstreamBus.StopAsync(stopping.Token);
        }

        await run.UntilAsync(() => run.Bus.Of<SmsDeliveryReported>().Count(r => r.MessageId == "traced-1") == 2, "both segments' receipts");
        await run.UntilAsync(() => Spans.Snapshot(spans).Count(a => a.DisplayName == "smpp delivery_report" && a.Links.Any(l => l.Context.TraceId == traceId)) == 2,
            "both receipt spans exported");
        var all = Spans.Snapshot(spans);

        // Both segments: submit_sm (protocol library) under the adapter's submit span, under the consume of smpp-send-sms
        // (one connection, submitted there) or of the connection queue under the router's consume of smpp-send-sms (the
        // router hop), under the upstream send, under the upstream span.
        var submitSms = all.Where(a => a.DisplayName == "smpp submit_sm" && a.TraceId == traceId).ToList();
        Assert.Equal(2, submitSms.Count);
        foreach (var submitSm in submitSms)
        {
            var chain = Spans.Ancestry(submitSm, all);
            var described = Spans.Describe(chain);
            Assert.True(chain[^1].SpanId == upstreamSpanId, $"the chain does not reach the upstream span: {described}");
            Assert.Equal("Instasent.Smpp", submitSm.Source.Name);
            // Each hop over the broker is a MassTransit send (producer) whose consume spans are its children.
            string[] routerHop = directSubmit ? [] : ["smpp-send-sms.instasent process", "smpp-send-sms.instasent send"];
            string[] hops = ["smpp submit_sm", "smpp submit", .. routerHop, "smpp-send-sms process", "smpp-send-sms send", "upstream checkout"];
            var positions = hops.Select(h => chain.FindIndex(a => a.DisplayName == h)).ToList();
            Assert.True(positions.All(p => p >= 0) && positions.SequenceEqual(positions.Order()), $"expected {string.Join(" <- ", hops)} in order: {described}");
            Assert.Equal(directSubmit, chain.All(a => !a.DisplayName.StartsWith("smpp-send-sms.instasent", StringComparison.Ordinal)));
            Assert.Equal(chain[1].SpanId, submitSm.ParentSpanId);
            Assert.Equal(ActivityKind.Consumer, chain[positions[2]].Kind);
            Assert.Equal(ActivityKind.Producer, chain[positions[^2]].Kind);
        }

        var submitSpans = submitSms.Select(s => Spans.Ancestry(s, all)[1]).ToList();
        var reports = all.Where(a => a.DisplayName == "smpp delivery_report" && a.Links.Any(l => l.Context.TraceId == traceId)).ToList();
        Assert.Equal(2, reports.Count);
        Assert.Equal(submitSpans.Select(s => s.SpanId.ToHexString()).Order(), reports.Select(r => r.Links.Single(l => l.Context.TraceId == traceId).Context.SpanId.ToHexString()).Order());
        Assert.DoesNotContain(all.SelectMany(a => a.TagObjects), t => t.Value is string v && v.Contains("tttttttttt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Spans_follow_the_OpenTelemetry_conventions_server_on_SMPP_spans_messaging_on_broker_spans_error_type_on_failures()
    {
        var spans = new List<Activity>();
        // The router hop on (DirectSubmit off), so the trace has every kind of broker span: publish, forward, two consumes.
        await using var run = await AdapterOnBroker.StartAsync(broker, new Dictionary<string, string?> { ["Adapter:DirectSubmit"] = "false", ["Telemetry:StartTraces"] = "true" },
            services: s => s.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));
        run.Smsc.Faults.RefuseSegment = 2;
        run.Smsc.Faults.RefuseSegmentStatus = CommandStatus.ESME_RINVDSTADR;

        await run.Bus.PublishAsync(new SendSms { MessageId = "semconv-1", From = "Instasent", To = "+34600000042", Text = new string('s', 200) }, envelope: true);

        await run.UntilAsync(() => run.Bus.Of<SmsRejected>().Any(r => r.MessageId == "semconv-1"), "the SmsRejected");
        // This message's: the exporter listens to the adapter's source process-wide, so tests running beside this one
        // (their adapters submit too) add spans of their own.
        static bool SubmitOfThisMessage(Activity a) => a.DisplayName == "smpp submit" && a.GetTagItem("smpp.adapter.message_id") as string == "semconv-1";
        await run.UntilAsync(() => Spans.Snapshot(spans).Count(SubmitOfThisMessage) == 2, "both submit spans exported");
        var all = Spans.Snapshot(spans);
        var traceId = all.Single(a => SubmitOfThisMessage(a) && (int?)a.GetTagItem("smpp.segment") == 2).TraceId;
        var trace = all.Where(a => a.TraceId == traceId).ToList();

        // SMPP spans: the SMSC is the server.
        var submitSms = trace.Where(a => a.DisplayName == "smpp submit_sm").ToList();
        Assert.Equal(2, submitSms.Count);
        Assert.All(submitSms, a => Assert.Equal(("127.0.0.1", run.Smsc.Port), (a.GetTagItem("server.address") as string, a.GetTagItem("server.port") as int?)));
        // The refused segment: error.type is the command_status, on the library's span and on the adapter's around it.
        var refused = Assert.Single(trace, a => a.Status == ActivityStatusCode.Error && a.DisplayName == "smpp submit_sm");
        Assert.Equal("ESME_RINVDSTADR", refused.GetTagItem("error.type"));
        Assert.Equal("ESME_RINVDSTADR", trace.Single(a => a.SpanId == refused.ParentSpanId).GetTagItem("error.type"));
        Assert.All(trace.Where(a => a.Status != ActivityStatusCode.Error), a => Assert.Null(a.GetTagItem("error.type")));
        // Broker spans (MassTransit's and the adapter's): the messaging attributes, and the caller's id never as messaging.message.id.
        var brokerSpans = trace.Where(a => a.Kind is ActivityKind.Consumer or ActivityKind.Producer).ToList();
        Assert.Contains(brokerSpans, a => a.Kind == ActivityKind.Consumer && a.GetTagItem("messaging.destination.name") as string == "smpp-send-sms.instasent");
        Assert.All(brokerSpans, a =>
        {
            Assert.True("rabbitmq".Equals(a.GetTagItem("messaging.system")), $"{a.DisplayName}: {string.Join(", ", a.TagObjects.Select(t => $"{t.Key}={t.Value}"))}");
            Assert.False(string.IsNullOrEmpty(a.GetTagItem("messaging.destination.name") as string), $"{a.DisplayName} has no messaging.destination.name");
        });
        Assert.DoesNotContain(all, a => a.GetTagItem("messaging.message.id") as string == "semconv-1");
        Assert.All(trace.Where(a => a.DisplayName == "smpp submit"), a => Assert.Equal("semconv-1", a.GetTagItem("smpp.adapter.message_id")));
    }
}
