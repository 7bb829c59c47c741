using System.Diagnostics;
using Instasent.SmppAdapter.Telemetry;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Times each Redis operation into <c>smpp.adapter.redis.duration</c> and counts its failures into
/// <c>smpp.adapter.redis.errors</c>, both tagged with the operation (e.g. <c>budget.take</c>), so a dashboard shows which
/// store is slow or failing. The exception still reaches the caller.
/// </summary>
internal static class RedisOperations
{
    public static async Task<T> MeasureAsync<T>(string operation, Func<Task<T>> call)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = await call().ConfigureAwait(false);
            AdapterTelemetry.RedisDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, AdapterTelemetry.RedisOperation(operation));
            return result;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            AdapterTelemetry.RedisErrors.Add(1, AdapterTelemetry.RedisOperation(operation), new("error.type", e.GetType().Name));
            throw;
        }
    }
}
