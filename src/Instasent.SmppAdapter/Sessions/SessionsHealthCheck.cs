using Instasent.SmppAdapter.Sessions;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Instasent.SmppAdapter.Sessions;

/// <summary>Ready when every connection has a bound transmit-capable session (the bus has its own check, tagged ready too).</summary>
public sealed class SessionsHealthCheck(SessionPool pool) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var unbound = pool.Connections.Where(c => !c.HasBoundTransmitter).Select(c => c.Name).ToList();
        return Task.FromResult(unbound.Count == 0
            ? HealthCheckResult.Healthy("every connection has a bound transmit-capable session")
            : HealthCheckResult.Unhealthy($"no bound transmit-capable session on: {string.Join(", ", unbound)}"));
    }
}
