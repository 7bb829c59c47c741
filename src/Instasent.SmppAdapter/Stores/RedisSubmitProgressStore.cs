using System.Text.Json;
using Instasent.SmppAdapter.Configuration;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Each command's <see cref="SubmitProgress"/> as a small JSON value, kept <see cref="StoresOptions.OutcomeRetention"/> at
/// most. An accepted segment's progress and its correlation are written by one script: the correlation key is not in the
/// command's hash slot, so these scripts need one Redis primary (Sentinel or a managed primary/replica), not Redis Cluster.
/// </summary>
public sealed class RedisSubmitProgressStore(IConnectionMultiplexer redis, StoresOptions options, SendingOptions sending) : ISubmitProgressStore
{
    // The progress, the correlation and its notification (to a receipt waiting for it, if any), in that order: a woken
    // receipt finds the correlation.
    private static readonly LuaScript SaveAcceptedScript = LuaScript.Prepare(
        "redis.call('SET', @progress, @progressValue, 'PX', @progressMs)\n" + RedisCorrelationStore.StoreLua + "\nreturn 1");

    private readonly RedisStoreKeys _keys = new(options.KeyPrefix);

    public async ValueTask<SubmitProgress?> LoadAsync(string messageId, CancellationToken cancellationToken)
    {
        var value = await RedisOperations.MeasureAsync("progress.load", () => redis.GetDatabase().StringGetAsync(_keys.Progress(messageId))).ConfigureAwait(false);
        return value.IsNull ? null : Deserialize((string)value!);
    }

    public async ValueTask SaveAsync(string messageId, SubmitProgress progress, CancellationToken cancellationToken) =>
        await RedisOperations.MeasureAsync("progress.save", () => redis.GetDatabase().StringSetAsync(_keys.Progress(messageId), Serialize(progress), options.OutcomeRetention)).ConfigureAwait(false);

    public async ValueTask SaveAcceptedAsync(string messageId, SubmitProgress progress, AcceptedCorrelation? correlation, CancellationToken cancellationToken)
    {
        if (correlation is null)
        {
            await SaveAsync(messageId, progress, cancellationToken).ConfigureAwait(false);
            return;
        }
        await RedisOperations.MeasureAsync("progress.accepted", () => redis.GetDatabase().ScriptEvaluateAsync(SaveAcceptedScript, new
        {
            progress = _keys.Progress(messageId),
            progressValue = Serialize(progress),
            progressMs = (long)options.OutcomeRetention.TotalMilliseconds,
            correlation = _keys.Correlation(correlation.Connection, correlation.NormalizedSmscMessageId),
            correlationValue = RedisCorrelationStore.Serialize(correlation.Correlation),
            correlationMs = (long)sending.StoreRetention.TotalMilliseconds,
            correlatedWaiting = _keys.CorrelatedWaiting(correlation.Connection, correlation.NormalizedSmscMessageId),
            correlatedChannel = _keys.CorrelatedChannel,
            correlatedSignal = RedisStoreKeys.CorrelationSignal(correlation.Connection, correlation.NormalizedSmscMessageId),
        })).ConfigureAwait(false);
    }

    public async ValueTask RemoveAsync(string messageId, CancellationToken cancellationToken) =>
        await RedisOperations.MeasureAsync("progress.remove", () => redis.GetDatabase().KeyDeleteAsync(_keys.Progress(messageId))).ConfigureAwait(false);

    internal static string Serialize(SubmitProgress progress) => JsonSerializer.Serialize(progress, RedisStoreJson.Options);

    internal static SubmitProgress Deserialize(string json) =>
        JsonSerializer.Deserialize<SubmitProgress>(json, RedisStoreJson.Options) ?? throw new JsonException("an empty stored progress");
}
