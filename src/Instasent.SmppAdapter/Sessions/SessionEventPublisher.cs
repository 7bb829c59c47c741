using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Sessions;
using Microsoft.Extensions.Hosting;

namespace Instasent.SmppAdapter.Sessions;

/// <summary>
/// Publishes the pool's session events (bound, bind failed, unbound) to their exchanges. It stops after the pool (reverse
/// registration order), so on a graceful stop it first publishes the unbinds the pool just reported, within the host's
/// stop budget, and only then lets go of the bus. A publish the broker does not confirm in time (a blocked or stalled
/// connection) is tried again a few times, in order, before the event is given up with a warning.
/// </summary>
public sealed class SessionEventPublisher(SessionEventChannel events, IBrokerPublisher publisher, PublishDeadlines deadlines, TimeProvider time, ILogger<SessionEventPublisher> logger)
    : BackgroundService
{
    /// <summary>Tries per event; the pauses between them double from <see cref="FirstPause"/> (1 + 2 + 4 + 8 s in all).</summary>
    internal const int Attempts = 5;

    internal static readonly TimeSpan FirstPause = TimeSpan.FromSeconds(1);

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
                await PublishAsync(sessionEvent, async (message, token) =>
                {
                    using var deadline = deadlines.Start(PublishDeadlines.SessionEvent, token);
                    await publisher.PublishAsync(message, null, deadline.Token).ConfigureAwait(false);
                }, time, logger, abort).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Publishes one event, trying again after a failure up to <see cref="Attempts"/> times in all; false when it was given
    /// up (a broker hiccup must not stop the pool's reporting, nor hold the events behind it for long).
    /// </summary>
    internal static async Task<bool> PublishAsync(object sessionEvent, Func<object, CancellationToken, Task> publish, TimeProvider time, ILogger logger,
        CancellationToken abort)
    {
        var pause = FirstPause;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await publish(sessionEvent, abort).ConfigureAwait(false);
                return true;
            }
            catch (Exception e) when (!abort.IsCancellationRequested)
            {
                if (attempt == Attempts)
                {
                    logger.LogWarning("Could not publish {Event} after {Attempts} attempts; given up: {Error}", sessionEvent.GetType().Name, Attempts, e.Message);
                    return false;
                }
                logger.LogWarning("Could not publish {Event} (attempt {Attempt} of {Attempts}), trying again in {Pause}: {Error}",
                    sessionEvent.GetType().Name, attempt, Attempts, pause, e.Message);
            }
            await Task.Delay(pause, time, abort).ConfigureAwait(false);
            pause += pause;
        }
    }
}
