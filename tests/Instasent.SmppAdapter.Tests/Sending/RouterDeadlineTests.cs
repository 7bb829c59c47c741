using Instasent.SmppAdapter.Contracts;
using MassTransit;

namespace Instasent.SmppAdapter.Tests.Sending;

/// <summary>The router's forward to a connection queue has the deadline of every publish (<c>Adapter:PublishTimeout</c>).</summary>
public sealed class RouterDeadlineTests
{
    [Fact]
    public async Task A_forward_the_broker_holds_gives_up_at_PublishTimeout_and_is_sent_again_once_the_broker_takes_it()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(new Dictionary<string, string?> { ["Adapter:PublishTimeout"] = "00:00:00.300" });
        var blocked = new BlockingForwardObserver();
        using var _ = adapter.Harness.Bus.ConnectSendObserver(blocked);

        await adapter.SendAsync(new SendSms { MessageId = "held-forward", From = "Instasent", To = "+34612345678", Text = "held" });
        // Held, then cancelled by its deadline (not left hanging): the router's retry sends it again.
        await adapter.UntilAsync(() => blocked.Cancelled >= 1, "a held forward cancelled by its deadline");
        Assert.Empty(adapter.Published<SmsSubmitted>());

        blocked.Block = false;
        var submitted = await adapter.PublishedAsync<SmsSubmitted>(s => s.MessageId == "held-forward");
        Assert.Single(submitted.SmscMessageIds);
        await adapter.UntilAsync(() => adapter.Smsc.Stats.SubmitsAccepted >= 1, "the SMSC's count");
        Assert.Equal(1L, adapter.Smsc.Stats.SubmitsAccepted);
    }

    /// <summary>A broker that holds the router's sends to a connection queue (a memory alarm) until their token gives up.</summary>
    private sealed class BlockingForwardObserver : ISendObserver
    {
        private int _cancelled;
        public volatile bool Block = true;

        public int Cancelled => Volatile.Read(ref _cancelled);

        public async Task PreSend<T>(SendContext<T> context) where T : class
        {
            if (Block && context.Message is SendSms && context.DestinationAddress?.AbsolutePath.EndsWith("smpp-send-sms.instasent", StringComparison.Ordinal) == true)
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, context.CancellationToken);
                }
                finally
                {
                    Interlocked.Increment(ref _cancelled);
                }
            }
        }

        public Task PostSend<T>(SendContext<T> context) where T : class => Task.CompletedTask;

        public Task SendFault<T>(SendContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }
}
