using System.Diagnostics;
using System.Text.Json.Nodes;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>A service in another language (Node's amqplib, no MassTransit) publishes plain JSON and reads the events.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class PlainJsonClientTests(RabbitMqBroker broker)
{
    private const string TraceId = "0af7651916cd43dd8448eb211c80319c";
    private const string Traceparent = $"00-{TraceId}-b7ad6b7169203331-01";

    [Theory]
    [InlineData("RabbitMqClient")]
    [InlineData("MassTransit")]
    public async Task A_plain_json_command_with_content_type_and_traceparent_from_amqplib_is_submitted_in_the_callers_trace_and_its_events_read_by_it(string consumer)
    {
        var spans = new List<Activity>();
        await using var run = await AdapterOnBroker.StartAsync(broker, new Dictionary<string, string?> { ["RabbitMq:Consumer"] = consumer }, services: s =>
            s.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)));

        var result = await RunPeerAsync(run, "node-1", contentType: true, Traceparent);

        AssertSubmittedAndReported(run, result, "node-1");
        await run.UntilAsync(() => Spans.Snapshot(spans).Any(a => a.DisplayName == "smpp submit_sm" && a.TraceId.ToHexString() == TraceId),
            "the submit_sm span in the caller's trace");
        var submit = Spans.Snapshot(spans).Single(a => a.DisplayName == "smpp submit" && a.TraceId.ToHexString() == TraceId);
        Assert.Equal("node-1", submit.GetTagItem("smpp.adapter.message_id"));
        // The adapter's own consume span for a traceparent from a bare AMQP client (its consumer of smpp-send-sms; "smpp
        // route" under MassTransit's): the messaging conventions, the broker message's id rather than the caller's.
        var routes = Spans.Snapshot(spans).Where(a => a.Kind == ActivityKind.Consumer && a.Source.Name == "Instasent.SmppAdapter" && a.TraceId.ToHexString() == TraceId).ToList();
        Assert.Contains(routes, r => r.GetTagItem("messaging.destination.name") as string == "smpp-send-sms");
        Assert.All(routes, route =>
        {
            Assert.Equal(("rabbitmq", "process"), (route.GetTagItem("messaging.system") as string, route.GetTagItem("messaging.operation.type") as string));
            Assert.StartsWith("smpp-send-sms", route.GetTagItem("messaging.destination.name") as string);
            // The broker message's id: the AMQP message_id (amqplib sets it to the command's id), or MassTransit's own.
            Assert.Equal(consumer == "RabbitMqClient", "node-1".Equals(route.GetTagItem("messaging.message.id")));
        });
    }

    [Fact]
    public async Task A_plain_json_command_without_a_content_type_from_amqplib_is_submitted_and_its_events_read_by_it()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);

        var result = await RunPeerAsync(run, "node-2", contentType: false, traceparent: null);

        AssertSubmittedAndReported(run, result, "node-2");
        // No trace came with it and nothing here samples one: the events carry no trace context of the adapter's making,
        // nor RabbitMQ.Client's publish number (x-dotnet-pub-seq-no, written when the client tracks confirms): no header.
        Assert.All(result.Received, e => Assert.Empty(e["headers"]!.AsObject()));
    }

    [Fact]
    public async Task A_callers_unsampled_trace_is_carried_on_to_the_outcome_event()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);

        var result = await RunPeerAsync(run, "node-3", contentType: true, $"00-{TraceId}-b7ad6b7169203331-00");

        AssertSubmittedAndReported(run, result, "node-3");
        var submitted = result.Received.Single(e => e["exchange"]!.GetValue<string>() == "smpp.sms-submitted");
        foreach (var header in new[] { "traceparent", "MT-Activity-Id" })
        {
            var value = submitted["headers"]?[header]?.GetValue<string>();
            Assert.True(value is not null && value.StartsWith($"00-{TraceId}-", StringComparison.Ordinal) && value.EndsWith("-00", StringComparison.Ordinal),
                $"{header}: {value}");
        }
    }

    private static async Task<AmqpPeerRun> RunPeerAsync(AdapterOnBroker run, string messageId, bool contentType, string? traceparent)
    {
        await using var peer = await AmqpPeer.StartAsync(new AmqpPeerOptions(run.VirtualHost.Uri)
        {
            MessageId = messageId,
            ContentType = contentType,
            Traceparent = traceparent,
            Text = "Hola desde Node: 10 € 🙂",
            Fields = new JsonObject { ["metadata"] = new JsonObject { ["tenant"] = "node" } },
            // SmsSubmitted and the one segment's SmsDeliveryReported.
            Expect = 2,
            Timeout = TimeSpan.FromSeconds(60),
        });
        return await peer.WaitAsync();
    }

    private static void AssertSubmittedAndReported(AdapterOnBroker run, AmqpPeerRun result, string messageId)
    {
        Assert.True(result.ExitCode == 0, result.Raw.ToString());
        var submitted = Assert.Single(result.Received, e => e["exchange"]!.GetValue<string>() == "smpp.sms-submitted");
        var report = Assert.Single(result.Received, e => e["exchange"]!.GetValue<string>() == "smpp.sms-delivery-reported");
        Assert.DoesNotContain(result.Received, e => e["exchange"]!.GetValue<string>() == "smpp.sms-rejected");

        var submittedMessage = submitted["body"]!["message"]!;
        Assert.Equal(messageId, submittedMessage["messageId"]!.GetValue<string>());
        Assert.Equal("node", submittedMessage["metadata"]!["tenant"]!.GetValue<string>());
        var smscMessageId = Assert.Single(submittedMessage["smscMessageIds"]!.AsArray())!.GetValue<string>();
        var reportMessage = report["body"]!["message"]!;
        Assert.Equal(messageId, reportMessage["messageId"]!.GetValue<string>());
        Assert.Equal(smscMessageId, reportMessage["smscMessageId"]!.GetValue<string>());
        Assert.Equal("DELIVRD", reportMessage["status"]!.GetValue<string>());

        // What the SMSC got: the text in UCS-2 (the emoji), to the number sent.
        var accepted = Assert.Single(run.AcceptedSubmits);
        Assert.Equal(smscMessageId, accepted.MessageId);
        Assert.Equal("34676388300", accepted.DestinationAddr);
        Assert.Equal(8, accepted.DataCoding);
        Assert.Equal("Hola desde Node: 10 € 🙂", System.Text.Encoding.BigEndianUnicode.GetString(accepted.ShortMessage.Span));
    }
}
