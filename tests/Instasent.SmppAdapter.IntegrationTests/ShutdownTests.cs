using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;

namespace Instasent.SmppAdapter.IntegrationTests;

[Collection(RabbitMqCollection.Name)]
public sealed class ShutdownTests(RabbitMqBroker broker)
{
    [Fact]
    public async Task A_graceful_stop_unbinds_every_session_and_publishes_SmppSessionUnbound_for_each()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);
        await run.UntilAsync(() => run.Bus.Of<SmppSessionBound>().Count == 2, "both sessions' SmppSessionBound");

        using (var stopping = new CancellationTokenSource(AdapterOnBroker.Wait))
        {
            // Bounded here too: a stop that ignores its token fails this test instead of hanging the run.
            await run.Host.StopAsync(stopping.Token).WaitAsync(AdapterOnBroker.Wait);
        }

        await run.UntilAsync(() => run.Smsc.Stats.BoundSessions == 0, "the simulator to see both sessions gone");
        await run.UntilAsync(() => run.Bus.Of<SmppSessionUnbound>().Count == 2, "an SmppSessionUnbound per session", TimeSpan.FromSeconds(10));
        Assert.Equal(run.Bus.Of<SmppSessionBound>().Select(b => b.SessionId).Order(), run.Bus.Of<SmppSessionUnbound>().Select(u => u.SessionId).Order());
        Assert.All(run.Bus.Of<SmppSessionUnbound>(), u => Assert.Equal("shutdown", u.Reason));
    }
}
