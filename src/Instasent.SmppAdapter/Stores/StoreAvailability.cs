using Instasent.SmppAdapter.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Whether the stores answer. In memory they always do. With Redis: a PING every <see cref="ProbeInterval"/> (each
/// bounded by <see cref="ProbeTimeout"/>), and "unavailable" at once when the multiplexer reports a lost connection.
/// Until the first PING answers, Redis counts as unavailable. While unavailable the adapter behaves as in an SMSC outage
/// (DESIGN.md, state and scale-out): no command is taken (<c>ConnectionQueueGate</c>), deliver_sm is answered
/// ESME_RX_T_APPN, readiness is 503 naming the reason; when Redis answers again everything resumes by itself.
/// </summary>
public sealed class StoreAvailability : BackgroundService
{
    public static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    private readonly IConnectionMultiplexer? _redis;
    private readonly TimeProvider _time;
    private readonly ILogger<StoreAvailability> _logger;
    private readonly Lock _lock = new();
    private TaskCompletionSource _available = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _isAvailable;

    public StoreAvailability(AdapterOptions adapter, IServiceProvider services, TimeProvider time, ILogger<StoreAvailability> logger)
    {
        var options = adapter.Stores;
        _time = time;
        _logger = logger;
        Provider = options.Provider;
        if (options.Provider == StoreProvider.Memory)
        {
            _isAvailable = true;
            _available.SetResult();
            return;
        }
        _redis = services.GetRequiredService<IConnectionMultiplexer>();
        Reason = "Redis has not answered yet";
        Since = time.GetUtcNow();
        _redis.ConnectionFailed += (_, e) => Set(false, $"Redis connection lost ({e.FailureType}: {e.Exception?.Message})");
    }

    public StoreProvider Provider { get; }

    public bool IsAvailable => _isAvailable;

    /// <summary>Why the stores are unavailable (null while available).</summary>
    public string? Reason { get; private set; }

    /// <summary>Since when the stores are in their present state.</summary>
    public DateTimeOffset? Since { get; private set; }

    /// <summary>Raised on every change, with the new state (on the thread that noticed it).</summary>
    public event Action<bool>? Changed;

    /// <summary>True when the exception says the store could not be reached (not a bug in a call).</summary>
    public static bool IsOutage(Exception e) => e is RedisConnectionException or RedisTimeoutException
        || (e is AggregateException { InnerExceptions: [var inner] } && IsOutage(inner));

    /// <summary>Completes when the stores are available; false when <paramref name="timeout"/> passed first.</summary>
    public async Task<bool> WaitUntilAvailableAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task available;
        lock (_lock)
        {
            available = _available.Task;
        }
        try
        {
            await available.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Reports a failed store call: the stores count as unavailable until the next PING answers.</summary>
    public void ReportOutage(Exception e) => Set(false, $"a Redis call failed: {e.Message}");

    /// <summary>
    /// Writes what must not be lost because the SMS is already out (an accepted segment): if the store is unreachable,
    /// handing the command back would send it again, so this waits for the store (up to <paramref name="waitEachTime"/>,
    /// a few tries) and writes it then. The last failure reaches the caller.
    /// </summary>
    public async Task KeepTryingAsync(Func<Task> record, TimeSpan waitEachTime)
    {
        const int Tries = 5;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await record().ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (IsOutage(e) && attempt < Tries)
            {
                ReportOutage(e);
                _logger.LogWarning("An accepted segment could not be recorded ({Error}); waiting for the store", e.Message);
                await WaitUntilAvailableAsync(waitEachTime, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_redis is null)
        {
            return;
        }
        using var timer = new PeriodicTimer(ProbeInterval, _time);
        try
        {
            do
            {
                await ProbeAsync(_redis, stoppingToken).ConfigureAwait(false);
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task ProbeAsync(IConnectionMultiplexer redis, CancellationToken cancellationToken)
    {
        try
        {
            await redis.GetDatabase().PingAsync().WaitAsync(ProbeTimeout, _time, cancellationToken).ConfigureAwait(false);
            Set(true, null);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Set(false, e is TimeoutException ? $"Redis did not answer PING within {ProbeTimeout.TotalSeconds:0.#} s" : $"Redis unreachable: {e.Message}");
        }
    }

    private void Set(bool available, string? reason)
    {
        lock (_lock)
        {
            if (available == _isAvailable)
            {
                if (!available)
                {
                    Reason = reason;
                }
                return;
            }
            _isAvailable = available;
            Reason = reason;
            Since = _time.GetUtcNow();
            if (available)
            {
                _available.TrySetResult();
            }
            else
            {
                _available = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }
        if (available)
        {
            _logger.LogInformation("Redis answers again: taking commands and deliver_sm");
        }
        else
        {
            _logger.LogWarning("Redis is unavailable ({Reason}): no command is taken and deliver_sm is answered ESME_RX_T_APPN until it answers", reason);
        }
        Changed?.Invoke(available);
    }
}
