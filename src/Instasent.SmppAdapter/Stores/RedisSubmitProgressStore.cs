using System.Text.Json;
using Instasent.SmppAdapter.Configuration;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.Stores;

/// <summary>Each command's <see cref="SubmitProgress"/> as a small JSON value, kept <see cref="StoresOptions.OutcomeRetention"/> at most.</summary>
public sealed class RedisSubmitProgressStore(IConnectionMultiplexer redis, StoresOptions options) : ISubmitProgressStore
{
    private readonly RedisStoreKeys _keys = new(options.KeyPrefix);

    public async ValueTask<SubmitProgress?> LoadAsync(string messageId, CancellationToken cancellationToken)
    {
        var value = await RedisOperations.MeasureAsync("progress.load", () => redis.GetDatabase().StringGetAsync(_keys.Progress(messageId))).ConfigureAwait(false);
        return value.IsNull ? null : JsonSerializer.Deserialize<SubmitProgress>((string)value!, RedisStoreJson.Options);
    }

    public async ValueTask SaveAsync(string messageId, SubmitProgress progress, CancellationToken cancellationToken) =>
        await RedisOperations.MeasureAsync("progress.save", () => redis.GetDatabase().StringSetAsync(_keys.Progress(messageId), JsonSerializer.Serialize(progress, RedisStoreJson.Options), options.OutcomeRetention)).ConfigureAwait(false);

    public async ValueTask RemoveAsync(string messageId, CancellationToken cancellationToken) =>
        await RedisOperations.MeasureAsync("progress.remove", () => redis.GetDatabase().KeyDeleteAsync(_keys.Progress(messageId))).ConfigureAwait(false);
}
