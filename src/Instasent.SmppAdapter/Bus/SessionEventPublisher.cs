using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Pool;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Instasent.SmppAdapter.Bus;

/// <summary>
/// Publishes the pool's session events (bound, bind failed, unbound) to their exchanges. On shutdown it stops after the
/// pool (hosted services stop in reverse order) and before the bus, so the pool's last <c>SmppSessionUnbound</c>
/// events still go out: it drains what is queued, bounded by <see cref="DrainTimeout"/>.
/// </summary>
public sealed class SessionEventPublisher(SessionEventChannel events, IBus bus, ILogger<SessionEventPublisher> logger) : BackgroundService
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(5);

    private readonly CancellationTokenSource _drain = new();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // Not stoppingToken: StopAsync completes the channel and bounds the drain itself.
            await foreach (var sessionEvent in events.Reader.ReadAllAsync(_drain.Token).ConfigureAwait(false))
            {
                try
                {
                    await (sessionEvent switch
                    {
                        SmppSessionBound b => bus.Publish(b, _drain.Token),
                        SmppSessionBindFailed f => bus.Publish(f, _drain.Token),
                        SmppSessionUnbound u => bus.Publish(u, _drain.Token),
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
        catch (OperationCanceledException) when (_drain.IsCancellationRequested)
        {
            logger.LogWarning("Session events still queued after {Timeout} at shutdown were not published", DrainTimeout);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        events.Complete();
        _drain.CancelAfter(DrainTimeout);
        if (ExecuteTask is { } running)
        {
            await running.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Dispose()
    {
        _drain.Dispose();
        base.Dispose();
    }
}
