using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Instasent.SmppAdapter.Stores;

/// <summary>Ready while the stores answer; otherwise names why (e.g. "Redis did not answer PING within 2 s") and since when.</summary>
public sealed class StoresHealthCheck(StoreAvailability stores) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["provider"] = stores.Provider.ToString() };
        if (stores.Since is { } since)
        {
            data["since"] = since;
        }
        return Task.FromResult(stores.IsAvailable
            ? HealthCheckResult.Healthy($"the {stores.Provider} stores answer", data)
            : HealthCheckResult.Unhealthy($"stores unavailable: {stores.Reason}; taking no commands, deliver_sm answered ESME_RX_T_APPN", data: data));
    }
}
