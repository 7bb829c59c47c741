using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Simulator;
using MassTransit;

namespace Instasent.SmppAdapter.Tests.Inbound;

public sealed class DeliverSmAcknowledgementTests
{
    [Fact]
    public async Task Deliver_sm_is_answered_ESME_RX_T_APPN_while_the_publish_fails_and_ESME_ROK_once_it_succeeds()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(simulator: new SimulatorOptions { DeliverRetryDelay = TimeSpan.FromMilliseconds(200) });
        var failing = new FailingPublishObserver();
        using var _ = adapter.Harness.Bus.ConnectPublishObserver(failing);

        var injected = await adapter.Smsc.InjectMoAsync("myuser", "+34600000009", "12345", "first try fails");
        await adapter.UntilAsync(() => adapter.Smsc.Stats.DeliverSmResponses.GetValueOrDefault("ESME_RX_T_APPN") >= 1, "an ESME_RX_T_APPN answer");
        Assert.Equal(0, adapter.Smsc.Stats.MoAcknowledged);

        failing.Fail = false;
        await injected.Delivered.WaitAsync(AdapterUnderTest.Wait);
        Assert.Equal(1, adapter.Smsc.Stats.MoAcknowledged);
        Assert.Equal("first try fails", (await adapter.PublishedAsync<InboundSmsReceived>()).Text);
    }

    [Fact]
    public async Task Deliver_sm_is_answered_ESME_RX_T_APPN_when_its_publish_is_not_confirmed_within_PublishTimeout()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(
            new Dictionary<string, string?> { ["Adapter:PublishTimeout"] = "00:00:00.300" },
            simulator: new SimulatorOptions { DeliverRetryDelay = TimeSpan.FromMilliseconds(200) });
        var blocked = new BlockingPublishObserver();
        using var _ = adapter.Harness.Bus.ConnectPublishObserver(blocked);

        var injected = await adapter.Smsc.InjectMoAsync("myuser", "+34600000009", "12345", "broker blocked");
        await adapter.UntilAsync(() => adapter.Smsc.Stats.DeliverSmResponses.GetValueOrDefault("ESME_RX_T_APPN") >= 1, "an ESME_RX_T_APPN answer");
        Assert.True(blocked.Held >= 1);

        blocked.Block = false;
        await injected.Delivered.WaitAsync(AdapterUnderTest.Wait);
        var inbound = await adapter.PublishedAsync<InboundSmsReceived>();
        Assert.Equal("broker blocked", inbound.Text);
        Assert.StartsWith("sha256:", inbound.Id, StringComparison.Ordinal);
    }

    /// <summary>A broker that holds publishes (a memory alarm): the publish waits until its token gives up.</summary>
    private sealed class BlockingPublishObserver : IPublishObserver
    {
        private int _held;
        public volatile bool Block = true;

        public int Held => Volatile.Read(ref _held);

        public async Task PrePublish<T>(PublishContext<T> context) where T : class
        {
            if (Block && context.Message is InboundSmsReceived)
            {
                Interlocked.Increment(ref _held);
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
        }

        public Task PostPublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

        public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }

    private sealed class FailingPublishObserver : IPublishObserver
    {
        public volatile bool Fail = true;

        public Task PrePublish<T>(PublishContext<T> context) where T : class =>
            Fail && context.Message is InboundSmsReceived ? throw new InvalidOperationException("broker unavailable (test)") : Task.CompletedTask;

        public Task PostPublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

        public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }
}
