using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Pool;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Instasent.SmppAdapter.Bus;

/// <summary>Publishes the pool's session events (bound, bind failed, unbound) to their exchanges.</summary>
public sealed class SessionEventPublisher(SessionEventChannel events, IBus bus, ILogger<SessionEventPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var sessionEvent in events.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    await (sessionEvent switch
                    {
                        SmppSessionBound b => bus.Publish(b, stoppingToken),
                        SmppSessionBindFailed f => bus.Publish(f, stoppingToken),
                        SmppSessionUnbound u => bus.Publish(u, stoppingToken),
                        _ => Task.CompletedTask,
                    }).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Informational events: a broker hiccup must not stop the pool's reporting.
                    logger.LogWarning("Could not publish {Event}: {Error}", sessionEvent.GetType().Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
