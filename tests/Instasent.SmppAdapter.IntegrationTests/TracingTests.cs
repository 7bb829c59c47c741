using System.Diagnostics;
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
        var config = new Dictionary<string, string?> { ["Adapter:DirectSubmit"] = directSubmit.ToString() };
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
}
