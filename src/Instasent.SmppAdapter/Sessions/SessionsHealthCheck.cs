using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Instasent.SmppAdapter.Sessions;

/// <summary>
/// Ready when every connection has a bound transmit-capable session (the bus has its own check, tagged ready too). Its
/// data names each connection's state: bound sessions of all, and why the last one failed or ended.
/// </summary>
public sealed class SessionsHealthCheck(SessionPool pool) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = pool.Connections.ToDictionary(c => c.Name, c => (object)State(c));
        var unbound = pool.Connections.Where(c => !c.HasBoundTransmitter).Select(c => c.Name).ToList();
        return Task.FromResult(unbound.Count == 0
            ? HealthCheckResult.Healthy("every connection has a bound transmit-capable session", data)
            : HealthCheckResult.Unhealthy($"no bound transmit-capable session on: {string.Join(", ", unbound)}", data: data));
    }

    private static ConnectionState State(ConnectionSessions connection)
    {
        var slots = connection.Snapshot().ToList();
        return new ConnectionState(
            slots.Count(s => s.State == "Bound"),
            slots.Count,
            slots.Select(s => s.LastError).LastOrDefault(e => e is not null),
            slots.Select(s => s.NextBindAt).Where(t => t is not null).Min());
    }

    /// <summary>One connection in the readiness answer.</summary>
    public sealed record ConnectionState(int BoundSessions, int Sessions, string? LastError, DateTimeOffset? NextBindAt);
}
