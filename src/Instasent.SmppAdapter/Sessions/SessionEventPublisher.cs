using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Sessions;
using Microsoft.Extensions.Hosting;

namespace Instasent.SmppAdapter.Sessions;

/// <summary>
/// Publishes the pool's session events (bound, bind failed, unbound) to their exchanges. It stops after the pool (reverse
/// registration order), so on a graceful stop it first publishes the unbinds the pool just reported, within the host's
/// stop budget, and only then lets go of the bus.
/// </summary>
public sealed class SessionEventPublisher(SessionEventChannel events, IBus bus, PublishDeadlines deadlines, ILogger<SessionEventPublisher> logger)
    : BackgroundService
{
    private readonly CancellationTokenSource _abort = new();

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        events.Complete();
        await using (cancellationToken.Register(static state => ((CancellationTokenSource)state!).Cancel(), _abort).ConfigureAwait(false))
        {
            await (ExecuteTask ?? Task.CompletedTask).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        base.Dispose();
        _abort.Dispose();
    }

    // Not the stopping token: that would drop the events still in the channel at stop (see StopAsync).
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var abort = _abort.Token;
        try
        {
            await foreach (var sessionEvent in events.Reader.ReadAllAsync(abort).ConfigureAwait(false))
            {
                try
                {
                    using var deadline = deadlines.Start(PublishDeadlines.SessionEvent, abort);
                    await bus.Publish(sessionEvent, sessionEvent.GetType(), deadline.Token).ConfigureAwait(false);
                }
                catch (Exception e) when (!abort.IsCancellationRequested)
                {
                    // Informational events: a broker hiccup must not stop the pool's reporting.
                    logger.LogWarning("Could not publish {Event}: {Error}", sessionEvent.GetType().Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
        }
    }
}
