using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.Testing;
using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using RabbitMQ.Client;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>
/// The publisher of events and forwards on RabbitMQ.Client (<c>RabbitMq:Publisher</c>, the default): an event reads as
/// MassTransit's publish of it, to a MassTransit subscriber and to a plain AMQP one; a forwarded command arrives as it
/// was received; a publish outlives a cut connection, or gives up at its caller's deadline.
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class BrokerPublisherTests(RabbitMqBroker broker)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task An_event_published_on_RabbitMQ_Client_reads_as_MassTransits_publish_of_it_to_MassTransit_and_plain_subscribers_in_the_publishers_trace()
    {
        await using var vhost = await broker.CreateVirtualHostAsync("events");
        await using var plain = await BusClient.StartAsync(vhost.Uri);
        var consumed = new ConcurrentQueue<(ConsumeContext<SmsSubmitted> Context, ActivityTraceId? Trace)>();
        var subscriber = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(vhost.Uri);
            cfg.ReceiveEndpoint("events-subscriber", e => e.Handler<SmsSubmitted>(context =>
            {
                consumed.Enqueue((context, Activity.Current?.TraceId));
                return Task.CompletedTask;
            }));
        });
        using var listener = SampleEverything();
        using var starting = new CancellationTokenSource(Wait);
        await subscriber.StartAsync(starting.Token);
        await using var direct = await StartAsync(new RabbitMqOptions { Uri = vhost.Uri });
        try
        {
            using var source = new ActivitySource("BrokerPublisherTests");
            ActivityTraceId directTrace, massTransitTrace;
            using (var span = source.StartActivity("direct"))
            {
                directTrace = span!.TraceId;
                await direct.PublishAsync(Submitted("direct"), null, starting.Token);
            }
            using (var span = source.StartActivity("masstransit"))
            {
                massTransitTrace = span!.TraceId;
                await new MassTransitBrokerPublisher(subscriber).PublishAsync(Submitted("masstransit"), null, starting.Token);
            }

            await Eventually.TrueAsync(() => consumed.Count == 2 && plain.Of<SmsSubmitted>().Count == 2, "both events at both subscribers", Wait);
            // The MassTransit subscriber: the same message, a conversation, and its consume in the publisher's trace.
            var ours = consumed.Single(c => c.Context.Message.MessageId == "direct");
            var theirs = consumed.Single(c => c.Context.Message.MessageId == "masstransit");
            Assert.Equivalent(theirs.Context.Message with { MessageId = "direct" }, ours.Context.Message, strict: true);
            Assert.NotNull(ours.Context.ConversationId);
            Assert.NotNull(ours.Context.MessageId);
            Assert.Equal((directTrace, massTransitTrace), (ours.Trace, theirs.Trace));

            // The plain subscriber: the envelope has every field MassTransit's has a value for (the message alike, field
            // for field), nothing MassTransit's lacks, and the trace in both headers.
            var ourEnvelope = plain.Events.Single(e => e.Message["messageId"]?.GetValue<string>() == "direct");
            var theirEnvelope = plain.Events.Single(e => e.Message["messageId"]?.GetValue<string>() == "masstransit");
            string[] set = [.. theirEnvelope.Envelope.Where(f => f.Value is not null && f.Key != "sourceAddress").Select(f => f.Key)];
            Assert.Equal(set.Order(), ourEnvelope.Envelope.Where(f => f.Key is not "sourceAddress").Select(f => f.Key).Order());
            foreach (var field in new[] { "destinationAddress", "messageType" })
            {
                Assert.True(JsonNode.DeepEquals(theirEnvelope.Envelope[field], ourEnvelope.Envelope[field]), $"{field}: {ourEnvelope.Envelope[field]} vs {theirEnvelope.Envelope[field]}");
            }
            var message = theirEnvelope.Message.DeepClone().AsObject();
            message["messageId"] = "direct";
            Assert.True(JsonNode.DeepEquals(message, ourEnvelope.Message), $"{ourEnvelope.Message} vs {theirEnvelope.Message}");
            foreach (var header in new[] { "traceparent", "MT-Activity-Id" })
            {
                Assert.Contains(directTrace.ToHexString(), Assert.IsType<string>(ourEnvelope.Headers[header]), StringComparison.Ordinal);
            }
        }
        finally
        {
            await StopAsync(subscriber);
        }
    }

    [Fact]
    public async Task A_publish_that_meets_a_cut_connection_waits_for_the_recovery_and_is_confirmed_then()
    {
        await using var vhost = await broker.CreateVirtualHostAsync("events");
        await using var plain = await BusClient.StartAsync(vhost.Uri);
        await using var proxy = new TcpChaosProxy(new IPEndPoint(IPAddress.Loopback, vhost.Uri.Port));
        await using var direct = await StartAsync(new RabbitMqOptions { Uri = new UriBuilder(vhost.Uri) { Port = proxy.Port }.Uri });
        using var deadline = new CancellationTokenSource(Wait);
        await direct.PublishAsync(Submitted("before"), null, deadline.Token);

        proxy.CutAll();
        await direct.PublishAsync(Submitted("after"), null, deadline.Token);

        await Eventually.TrueAsync(() => plain.Of<SmsSubmitted>().Any(s => s.MessageId == "after"), "the event published across the cut", Wait);
        Assert.True(proxy.AcceptedConnections >= 2, $"the publisher reconnected ({proxy.AcceptedConnections} connections through the proxy)");
        Assert.Equal(HealthStatus.Healthy, (await direct.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task With_the_broker_unreachable_a_publish_gives_up_at_its_deadline_and_readiness_says_why()
    {
        await using var proxy = new TcpChaosProxy(new IPEndPoint(IPAddress.Loopback, broker.Uri.Port));
        proxy.RefuseNew(true);
        await using var direct = await StartAsync(new RabbitMqOptions { Uri = new UriBuilder(broker.Uri) { Port = proxy.Port }.Uri });
        using var deadline = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => direct.PublishAsync(Submitted("nowhere"), null, deadline.Token));

        var health = await direct.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, health.Status);
        Assert.Contains("not connected", health.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forwarded_command_reaches_its_queue_as_it_arrived_and_one_whose_exchange_has_no_queue_fails_at_once()
    {
        await using var vhost = await broker.CreateVirtualHostAsync("forward");
        await using var direct = await StartAsync(new RabbitMqOptions { Uri = vhost.Uri });
        await using var connection = await RabbitMqBroker.ConnectAsync(vhost.Uri);
        await using var channel = await connection.CreateChannelAsync();
        // The connection queue and its exchange, as the router's endpoint declares them (Hosting/QueueTopology).
        await channel.ExchangeDeclareAsync("forward-target", ExchangeType.Fanout, durable: true);
        await channel.QueueDeclareAsync("forward-target", durable: true, exclusive: false, autoDelete: false);
        await channel.QueueBindAsync("forward-target", "forward-target", "");
        var forwards = new ConcurrentQueue<(string MessageId, Exception? Error)>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var router = MassTransit.Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(vhost.Uri);
            cfg.ReceiveEndpoint("forward-in", e =>
            {
                BusPolicy.AcceptPlainJson(e);
                e.Handler<SendSms>(async context =>
                {
                    try
                    {
                        await direct.Publisher.ForwardAsync(SendSmsContext.Of(context), context.Message.MessageId == "nowhere" ? "forward-nowhere" : "forward-target", deadline.Token);
                        forwards.Enqueue((context.Message.MessageId, null));
                    }
                    catch (Exception e)
                    {
                        forwards.Enqueue((context.Message.MessageId, e));
                    }
                });
            });
        });
        using var starting = new CancellationTokenSource(Wait);
        await router.StartAsync(starting.Token);
        try
        {
            var body = """{"messageId":"fwd-1","from":"Instasent","to":"+34600000001","text":"as it arrived","requestDeliveryReport":"true"}"""u8.ToArray();
            await channel.BasicPublishAsync("", "forward-in", false, new BasicProperties { ContentType = "application/json", Persistent = true }, body);
            await channel.BasicPublishAsync("", "forward-in", false, new BasicProperties { ContentType = "application/json" },
                """{"messageId":"nowhere","from":"Instasent","to":"+34600000001","text":"no queue"}"""u8.ToArray());

            await Eventually.TrueAsync(() => forwards.Count == 2, "both forwards ended", Wait);
            Assert.Null(forwards.Single(f => f.MessageId == "fwd-1").Error);
            // The broker returned it (nothing bound to that exchange): failed at once, not tried again until the deadline.
            var returned = Assert.IsAssignableFrom<RabbitMQ.Client.Exceptions.PublishException>(forwards.Single(f => f.MessageId == "nowhere").Error);
            Assert.True(returned.IsReturn);
            Assert.False(deadline.IsCancellationRequested);
            var forwarded = await channel.BasicGetAsync("forward-target", autoAck: true);
            Assert.NotNull(forwarded);
            Assert.Equal(body, forwarded.Body.ToArray());
            Assert.Equal(("application/json", DeliveryModes.Persistent), (forwarded.BasicProperties.ContentType, forwarded.BasicProperties.DeliveryMode));
            Assert.Equal(HealthStatus.Healthy, (await direct.CheckHealthAsync(new HealthCheckContext())).Status);
        }
        finally
        {
            await StopAsync(router);
        }
    }

    [Fact]
    public async Task Once_stopped_the_publisher_fails_a_publish_at_once_instead_of_waiting_for_a_connection()
    {
        await using var vhost = await broker.CreateVirtualHostAsync("events");
        var publisher = new RabbitMqBrokerPublisher(new RabbitMqOptions { Uri = vhost.Uri }, TimeProvider.System, NullLogger<RabbitMqBrokerPublisher>.Instance);
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            using var deadline = new CancellationTokenSource(Wait);
            await publisher.PublishAsync(Submitted("before-stop"), null, deadline.Token);
            await publisher.StopAsync(deadline.Token);

            // No deadline at all (as a consumer still running during a stop might pass): it must still end.
            var stopped = await Assert.ThrowsAsync<InvalidOperationException>(() => publisher.PublishAsync(Submitted("after-stop"), null, CancellationToken.None).WaitAsync(Wait));
            Assert.Contains("stopped", stopped.Message, StringComparison.Ordinal);
        }
        finally
        {
            publisher.Dispose();
        }
    }

    /// <summary>Stops a test's own MassTransit bus, bounded by <see cref="Wait"/>.</summary>
    private static async Task StopAsync(IBusControl bus)
    {
        using var stopping = new CancellationTokenSource(Wait);
        await bus.StopAsync(stopping.Token);
    }

    private static SmsSubmitted Submitted(string messageId) => new()
    {
        MessageId = messageId,
        SmscMessageIds = ["5f1e", "5f1f"],
        Segments = 2,
        Connection = "instasent",
        SessionId = "instasent-1",
        SubmittedAt = new DateTimeOffset(2026, 12, 1, 8, 0, 0, TimeSpan.Zero),
        Metadata = new Dictionary<string, string> { ["order"] = "42" },
    };

    private static async Task<Started> StartAsync(RabbitMqOptions options)
    {
        var publisher = new RabbitMqBrokerPublisher(options, TimeProvider.System, NullLogger<RabbitMqBrokerPublisher>.Instance);
        await publisher.StartAsync(CancellationToken.None);
        return new Started(publisher);
    }

    private static ActivityListener SampleEverything()
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>A started publisher, stopped and disposed at the end of the test.</summary>
    private sealed class Started(RabbitMqBrokerPublisher publisher) : IAsyncDisposable
    {
        public RabbitMqBrokerPublisher Publisher => publisher;

        public Task PublishAsync(object message, ConsumeContext? consumed, CancellationToken cancellationToken) =>
            publisher.PublishAsync(message, consumed is null ? null : ConsumedMessage.Of(consumed), cancellationToken);

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context) => publisher.CheckHealthAsync(context);

        public async ValueTask DisposeAsync()
        {
            using var stopping = new CancellationTokenSource(Wait);
            await publisher.StopAsync(stopping.Token);
            publisher.Dispose();
        }
    }
}
