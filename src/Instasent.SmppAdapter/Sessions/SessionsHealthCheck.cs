using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Instasent.SmppAdapter.Sessions;

/// <summary>
/// Ready when every connection has a bound transmit-capable session (the bus has its own check, tagged ready too). Its
/// data names each connection's state: bound sessions of all, and why the last one failed or ended. A connection whose
/// sessions only wait for one of the account's bind slots (other replicas hold all of <c>MaxBinds</c>) is Degraded, not
/// Unhealthy: this replica is working as sized (it takes over when a slot frees), and a rolling update must not stall
/// waiting for it to bind.
/// </summary>
public sealed class SessionsHealthCheck(SessionPool pool) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = pool.Connections.ToDictionary(c => c.Name, c => (object)State(c));
        var unbound = pool.Connections.Where(c => !c.HasBoundTransmitter).ToList();
        var failing = unbound.Where(c => !c.WaitingForBindSlot).Select(c => c.Name).ToList();
        var waiting = unbound.Where(c => c.WaitingForBindSlot).Select(c => c.Name).ToList();
        return Task.FromResult(
            failing.Count > 0 ? HealthCheckResult.Unhealthy($"no bound transmit-capable session on: {string.Join(", ", failing)}", data: data)
            : waiting.Count > 0 ? HealthCheckResult.Degraded($"waiting for a bind slot (MaxBinds held by other replicas) on: {string.Join(", ", waiting)}", data: data)
            : HealthCheckResult.Healthy("every connection has a bound transmit-capable session", data));
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
