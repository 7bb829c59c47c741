using Instasent.SmppAdapter.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Instasent.SmppAdapter.Hosting;

/// <summary>
/// Stops the adapter, so that whatever supervises it (Kubernetes, systemd, Docker's restart policy) starts it again, when
/// one of MassTransit's receive endpoints stays unable to consume for <see cref="RabbitMqOptions.StallTimeout"/>
/// while the broker answers. A connection to the broker that drops while an endpoint is declaring its queues and
/// exchanges can leave that endpoint waiting forever (MassTransit 8.5 declares them in parallel on one RabbitMQ.Client 7.2
/// channel; the channel is disposed with declarations still queued on it, which then never complete): the endpoint
/// reconnects no more, its queue fills, and nothing else notices. Reproduced by cutting the broker connection twice a
/// second apart (BrokerConnectionCutTests); the dump shows the declarations parked on the disposed channel's semaphore.
/// </summary>
/// <remarks>
/// <para>"The broker answers" is the broker publisher's own connection being open: during a broker outage every endpoint
/// is down too, and that is not a stall (the clock restarts whenever the publisher is disconnected). An endpoint that
/// MassTransit reports healthy again restarts its clock as well.</para>
/// <para>A stall is logged as critical naming the endpoints, <c>/health/live</c> answers 503 from then on, and the host is
/// stopped as on SIGTERM (what the adapter holds is finished or handed back first), with exit code
/// <see cref="ExitCode"/>. Nothing is lost: what the stuck endpoint never took waits in its queue for the next process.</para>
/// </remarks>
public sealed partial class EndpointStallWatchdog(
    IEndpointHealthSource endpoints,
    IBrokerConnectionState broker,
    RabbitMqOptions rabbit,
    SendingOptions sending,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<EndpointStallWatchdog> logger) : BackgroundService, IHealthCheck
{
    /// <summary>The process's exit code after a stall (EX_SOFTWARE): a supervisor restarts it; a person sees it was not asked to stop.</summary>
    public const int ExitCode = 70;

    private readonly Dictionary<string, DateTimeOffset> _downSince = new(StringComparer.Ordinal);
    private readonly TimeSpan _timeout = rabbit.StallTimeout(sending);
    private volatile string? _stalled;

    /// <summary>The endpoints found stalled and for how long, once the watchdog has stopped the host; else null.</summary>
    public string? Stalled => _stalled;

    /// <summary>How often the endpoints are looked at: often enough to act within a tenth of the timeout past it.</summary>
    internal TimeSpan Interval => TimeSpan.FromTicks(Math.Clamp(_timeout.Ticks / 10, TimeSpan.FromMilliseconds(200).Ticks, TimeSpan.FromSeconds(5).Ticks));

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_stalled is { } stalled
            ? HealthCheckResult.Unhealthy($"stopping: a queue stopped being consumed while the broker answers ({stalled})")
            : HealthCheckResult.Healthy());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_timeout <= TimeSpan.Zero)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(Interval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            string? stalled;
            try
            {
                stalled = Check();
            }
            catch (Exception e)
            {
                // A look that fails (the bus not built yet, a health source throwing) is no stall, and must not end this
                // service: an exception out of a hosted service's loop would stop the host.
                LogLookFailed(e.Message);
                continue;
            }
            if (stalled is not null)
            {
                _stalled = stalled;
                LogStalled(stalled, _timeout, ExitCode);
                lifetime.StopApplication();
                return;
            }
        }
    }

    /// <summary>One look: the stalled endpoints with how long each has been down, or null when none has been for the timeout.</summary>
    internal string? Check()
    {
        var now = time.GetUtcNow();
        if (!broker.IsConnected)
        {
            _downSince.Clear();
            return null;
        }
        var down = endpoints.NotConsuming();
        foreach (var name in _downSince.Keys.Except(down.Keys, StringComparer.Ordinal).ToList())
        {
            _downSince.Remove(name);
        }
        var stalled = new List<string>();
        foreach (var (name, reason) in down)
        {
            if (!_downSince.TryGetValue(name, out var since))
            {
                _downSince[name] = now;
                continue;
            }
            if (now - since >= _timeout)
            {
                stalled.Add($"{name} for {(now - since).TotalSeconds:F0} s: {reason}");
            }
        }
        return stalled.Count == 0 ? null : string.Join("; ", stalled);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read MassTransit's endpoint health ({Error}); looking again in a moment")]
    private partial void LogLookFailed(string error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "A queue stopped being consumed while the broker answers ({Stalled}), past RabbitMq:StalledEndpointTimeout ({Timeout}): stopping the adapter (exit code {ExitCode}) for its supervisor to start it again; what these endpoints did not take waits in their queues")]
    private partial void LogStalled(string stalled, TimeSpan timeout, int exitCode);
}

/// <summary>The receive endpoints that are not consuming right now, each with what its transport says (MassTransit's bus health).</summary>
public interface IEndpointHealthSource
{
    IReadOnlyDictionary<string, string> NotConsuming();
}

/// <summary>Whether the adapter's own connection to the broker is open (the broker answers).</summary>
public interface IBrokerConnectionState
{
    bool IsConnected { get; }
}

/// <summary>Several sources as one: MassTransit's endpoints and the adapter's own consumer of <c>smpp-send-sms</c>.</summary>
public sealed class EndpointHealthSources(IReadOnlyList<IEndpointHealthSource> sources) : IEndpointHealthSource
{
    public IReadOnlyDictionary<string, string> NotConsuming()
    {
        var down = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in sources)
        {
            foreach (var (name, reason) in source.NotConsuming())
            {
                down[name] = reason;
            }
        }
        return down;
    }
}

/// <summary><see cref="IEndpointHealthSource"/> from MassTransit's <see cref="IBusControl.CheckHealth"/>.</summary>
public sealed class BusEndpointHealth(IBusControl bus) : IEndpointHealthSource
{
    public IReadOnlyDictionary<string, string> NotConsuming() =>
        bus.CheckHealth().Endpoints
            .Where(e => e.Value.Status != BusHealthStatus.Healthy)
            .ToDictionary(e => e.Key, e => e.Value.Description ?? e.Value.Status.ToString(), StringComparer.Ordinal);
}
