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

    private sealed class FailingPublishObserver : IPublishObserver
    {
        public volatile bool Fail = true;

        public Task PrePublish<T>(PublishContext<T> context) where T : class =>
            Fail && context.Message is InboundSmsReceived ? throw new InvalidOperationException("broker unavailable (test)") : Task.CompletedTask;

        public Task PostPublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;

        public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }
}
