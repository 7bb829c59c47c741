using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Sessions;
using Instasent.SmppAdapter.Stores;
using Microsoft.Extensions.Hosting;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Opens a connection's queues (<c>smpp-send-sms.&lt;connection&gt;</c> and its high lane,
/// <c>smpp-send-sms.&lt;connection&gt;.high</c>) while it has a bound transmit-capable session and closes them when the
/// last one goes: an SMSC outage leaves the commands waiting in RabbitMQ, not in our memory, and rejects nothing; other
/// connections carry on. Closed as well while the stores are unavailable (Redis down: no submit without an idempotency
/// claim). How the queues are consumed is <see cref="IConnectionLanes"/>' business; this class only decides when.
/// </summary>
public sealed class ConnectionQueueGate(
    SessionPool pool, IConnectionLanes lanes, StoreAvailability stores, ILogger<ConnectionQueueGate> logger)
    : IHostedService
{
    /// <summary>Logged once every queue's stop is queued behind what that queue was doing (a start, a stop), if any was busy.</summary>
    public static readonly EventId StopQueued = new(1, nameof(StopQueued));

    private readonly Dictionary<string, State> _states = new(StringComparer.OrdinalIgnoreCase);
    private volatile bool _stopping;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var connection in pool.Connections)
        {
            _states[connection.Name] = new State();
            connection.TransmitAvailabilityChanged += OnAvailabilityChanged;
            if (connection.HasBoundTransmitter)
            {
                OnAvailabilityChanged(connection, true);
            }
        }
        stores.Changed += OnStoresChanged;
        return Task.CompletedTask;
    }

    /// <summary>True while the connection's queues are being consumed (their endpoints have started and not been stopped).</summary>
    public bool IsOpen(string connection) => _states.TryGetValue(connection, out var state) && state.Consuming;

    /// <summary>
    /// Stops consuming every connection queue (both lanes): in-flight commands finish or are handed back first. A queue whose
    /// endpoint is still starting is stopped only once it is ready: stopping a RabbitMQ endpoint in the middle of its
    /// topology setup can leave MassTransit waiting forever on a channel it has already disposed. Bounded by
    /// <paramref name="cancellationToken"/> (the host's stop budget): past it, what has not stopped is named in a warning
    /// and left to the bus's own stop.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        stores.Changed -= OnStoresChanged;
        foreach (var connection in pool.Connections)
        {
            connection.TransmitAvailabilityChanged -= OnAvailabilityChanged;
        }
        var closing = _states.Select(s => (Connection: s.Key, Task: Enqueue(s.Value, state => StopConsumingAsync(s.Key, state, cancellationToken), cancellationToken))).ToList();
        if (closing.Any(c => !c.Task.IsCompleted))
        {
            logger.LogInformation(StopQueued, "Waiting for these connections' queues to finish starting or stopping: {Connections}",
                string.Join(", ", closing.Where(c => !c.Task.IsCompleted).Select(c => c.Connection)));
        }
        try
        {
            await Task.WhenAll(closing.Select(c => c.Task)).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("The stop budget ran out before these connections' queues stopped consuming: {Connections}",
                string.Join(", ", closing.Where(c => !c.Task.IsCompleted).Select(c => c.Connection)));
        }
    }

    private async Task StopConsumingAsync(string connection, State state, CancellationToken cancellationToken)
    {
        try
        {
            await CloseAsync(state, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.LogError(e, "Could not stop consuming the queue of {Connection}", connection);
        }
    }

    private void OnStoresChanged(bool available)
    {
        foreach (var connection in pool.Connections)
        {
            OnAvailabilityChanged(connection, available);
        }
    }

    private void OnAvailabilityChanged(ConnectionSessions connection, bool available)
    {
        var state = _states[connection.Name];
        // Serialised per connection: the last change wins, whatever order the tasks run in.
        // Owned by the connection's turn: ApplyAsync never throws, and StopAsync takes its turn after it.
        _ = Enqueue(state, s => ApplyAsync(connection, s));
    }

    /// <summary>Runs <paramref name="step"/> after every step queued before it for the same connection.</summary>
    private static async Task Enqueue(State state, Func<State, Task> step, CancellationToken cancellationToken = default)
    {
        await state.Turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await step(state).ConfigureAwait(false);
        }
        finally
        {
            state.Turn.Release();
        }
    }

    private async Task ApplyAsync(ConnectionSessions connection, State state)
    {
        if (_stopping)
        {
            // The stop queued behind this step closes the queue, within the stop budget.
            return;
        }
        var queue = connection.Options.QueueName;
        try
        {
            var open = connection.HasBoundTransmitter && stores.IsAvailable;
            if (open && !state.Consuming)
            {
                // The high queue first, and the normal one only once it is consuming: after an outage the high
                // commands are delivered, and hold the normal lane back (PriorityLanes), before the backlog arrives.
                foreach (var lane in Lanes(connection.Options))
                {
                    if (!state.Handles.ContainsKey(lane))
                    {
                        var handle = lanes.Open(connection.Options, high: lane == connection.Options.HighQueueName);
                        state.Handles[lane] = handle;
                        await handle.Ready.ConfigureAwait(false);
                    }
                }
                state.Consuming = true;
                logger.LogInformation("Consuming {Queue} and {HighQueue}: {Connection} has a bound session and the stores answer", queue, connection.Options.HighQueueName, connection.Name);
            }
            else if (!open && state.Handles.Count > 0)
            {
                await CloseAsync(state, CancellationToken.None).ConfigureAwait(false);
                logger.LogWarning("Stopped consuming {Queue} and {HighQueue}: {Reason}; commands wait in RabbitMQ", queue, connection.Options.HighQueueName,
                    stores.IsAvailable ? $"{connection.Name} has no bound session" : $"the stores are unavailable ({stores.Reason})");
            }
        }
        catch (Exception e)
        {
            logger.LogError(e, "Could not switch consumption of {Queue}", queue);
        }
    }

    /// <summary>A connection's queues in the order they are opened: high, then normal.</summary>
    private static string[] Lanes(SmppConnectionOptions connection) => [connection.HighQueueName, connection.QueueName];

    private static async Task CloseAsync(State state, CancellationToken cancellationToken)
    {
        var handles = state.Handles.Values.ToList();
        state.Handles.Clear();
        state.Consuming = false;
        await Task.WhenAll(handles.Select(h => h.StopAsync(cancellationToken))).ConfigureAwait(false);
    }

    private sealed class State
    {
        public readonly SemaphoreSlim Turn = new(1, 1);

        /// <summary>Each of the connection's queues that was opened (and not yet stopped).</summary>
        public readonly Dictionary<string, IConnectionLane> Handles = new(StringComparer.Ordinal);
        public volatile bool Consuming;
    }
}
