using System.Text;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Inbound;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Instasent.SmppAdapter.IntegrationTests.Stores;

/// <summary>
/// A part of a long inbound SMS that its consumer takes while Redis is down waits for the store, then goes back to
/// <c>smpp-inbound-parts</c> as it came and is taken again once Redis answers: the SMS is published once, whole. With
/// quorum queues too, where that hand-back must not declare the queue again (a queue declared without its arguments is
/// refused), so it goes through the queue's exchange as the parts' first send does. (While Redis is down the SMSC's
/// deliver_sm is refused, so a part meets the outage only when Redis goes between its deliver_sm and its consume; the
/// test puts the parts on the queue itself, as DeliverSmHandler does, to reach that moment every time.)
/// </summary>
[Collection(RabbitMqCollection.Name)]
public sealed class InboundPartOutageTests(RabbitMqBroker broker)
{
    [Theory]
    [InlineData("Classic")]
    [InlineData("Quorum")]
    public async Task Parts_taken_while_Redis_is_down_are_handed_back_and_the_SMS_is_published_once_whole_when_it_returns(string queueType)
    {
        await using var redis = await PrivateRedisServer.CreateAsync();
        var waits = new CapturedLogs(typeof(InboundPartConsumer).FullName!, LogLevel.Warning);
        await using var run = await AdapterOnBroker.StartAsync(broker, new Dictionary<string, string?>
        {
            ["Stores:Provider"] = "Redis",
            ["Stores:Redis:Configuration"] = redis.Configuration,
            ["Stores:Redis:KeyPrefix"] = "part-outage:",
            ["RabbitMq:QueueType"] = queueType,
            [$"Logging:LogLevel:{typeof(InboundPartConsumer).FullName}"] = "Warning",
        }, services: s => s.AddSingleton<ILoggerProvider>(waits));
        var bus = run.Host.Services.GetRequiredService<IBus>();

        await redis.StopAsync();
        var parts = await bus.GetSendEndpoint(RabbitMqOptions.SendAddress(InboundSmsPart.QueueName));
        await parts.Send(Part(1, "Hello from "));
        await parts.Send(Part(2, "the handset"));
        // The first taken (one at a time) and waiting for the store, within Adapter:RetryBudget; then handed back.
        await run.UntilAsync(() => waits.Lines.Any(l => l.Contains("the store is unavailable", StringComparison.Ordinal)), "a part waiting for the store");
        Assert.Empty(run.Bus.Of<InboundSmsReceived>());

        await redis.StartAsync();

        await run.UntilAsync(() => run.Bus.Of<InboundSmsReceived>().Any(m => m.From == "+34600000077"), "the inbound SMS, once Redis is back");
        // A single-part SMS published after it: once it is in, any second copy of the first would have been too.
        await run.Smsc.InjectMoAsync("myuser", "+34600000078", "12345", "marker");
        await run.UntilAsync(() => run.Bus.Of<InboundSmsReceived>().Any(m => m.Text == "marker"), "the marker");
        var published = Assert.Single(run.Bus.Of<InboundSmsReceived>(), m => m.From == "+34600000077");
        Assert.Equal(("Hello from the handset", 2), (published.Text, published.Segments));
        Assert.Equal(0u, await run.Bus.MessageCountAsync(QueueTopology.ErrorQueueName(InboundSmsPart.QueueName)));
    }

    /// <summary>Part <paramref name="sequence"/> of 2 of one message: an 8-bit concatenation UDH, then GSM 7-bit text one septet per octet.</summary>
    private static InboundSmsPart Part(byte sequence, string text) => new()
    {
        Connection = "instasent",
        SourceAddr = "+34600000077",
        DestinationAddr = "12345",
        EsmClass = 0x40,
        DataCoding = 0,
        ShortMessage = [0x05, 0x00, 0x03, 0x2A, 0x02, sequence, .. Encoding.ASCII.GetBytes(text)],
        SmscMessageId = $"part-{sequence}",
        ReceivedAt = DateTimeOffset.UtcNow,
    };
}
