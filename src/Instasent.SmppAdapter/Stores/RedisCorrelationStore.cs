using System.Diagnostics;
using System.Text.Json;
using Instasent.SmppAdapter.Configuration;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Correlations in Redis, kept <see cref="SendingOptions.StoreRetention"/>, so a receipt is matched by whichever
/// replica's session it arrives on. A receipt that arrives before its submit_sm_resp was recorded waits for the
/// add's notification (published with it), re-checking slowly in case the notification was lost.
/// </summary>
public sealed class RedisCorrelationStore : ICorrelationStore
{
    /// <summary>
    /// A correlation's write, for every script that stores one: the value, then its notification to a replica waiting
    /// for it, if any (in that order: a woken waiter finds the value). Parameters <c>@correlation</c>,
    /// <c>@correlationValue</c>, <c>@correlationMs</c> and those of <see cref="RedisSignals.PublishIfAwaitedLua"/>("correlated").
    /// </summary>
    internal static readonly string StoreLua =
        "redis.call('SET', @correlation, @correlationValue, 'PX', @correlationMs)\n" + RedisSignals.PublishIfAwaitedLua("correlated");

    private static readonly LuaScript AddScript = LuaScript.Prepare(StoreLua + "\nreturn 1");


    private readonly IConnectionMultiplexer _redis;
    private readonly SendingOptions _options;
    private readonly RedisStoreKeys _keys;
    private readonly RedisSignals _added;

    public RedisCorrelationStore(IConnectionMultiplexer redis, StoresOptions stores, SendingOptions options, TimeProvider time)
    {
        _redis = redis;
        _options = options;
        _keys = new RedisStoreKeys(stores.KeyPrefix);
        _added = new RedisSignals(redis, _keys.CorrelatedChannel, time);
    }

    public async ValueTask AddAsync(string connection, string normalizedSmscMessageId, SegmentCorrelation correlation) =>
        await RedisOperations.MeasureAsync("correlation.add", () => _redis.GetDatabase().ScriptEvaluateAsync(AddScript, new
        {
            correlation = _keys.Correlation(connection, normalizedSmscMessageId),
            correlationValue = Serialize(correlation),
            correlationMs = (long)_options.StoreRetention.TotalMilliseconds,
            correlatedWaiting = _keys.CorrelatedWaiting(connection, normalizedSmscMessageId),
            correlatedChannel = _keys.CorrelatedChannel,
            correlatedSignal = RedisStoreKeys.CorrelationSignal(connection, normalizedSmscMessageId),
        })).ConfigureAwait(false);

    public async ValueTask<SegmentCorrelation?> FindAsync(string connection, string normalizedSmscMessageId, TimeSpan wait, CancellationToken cancellationToken)
    {
        var database = _redis.GetDatabase();
        var key = _keys.Correlation(connection, normalizedSmscMessageId);
        async Task<SegmentCorrelation?> LookAsync()
        {
            var value = await RedisOperations.MeasureAsync("correlation.find", () => database.StringGetAsync(key)).ConfigureAwait(false);
            return value.IsNull ? null : JsonSerializer.Deserialize<StoredCorrelation>((string)value!, RedisStoreJson.Options)!.ToCorrelation();
        }
        if (wait <= TimeSpan.Zero)
        {
            return await LookAsync().ConfigureAwait(false);
        }
        return await _added.WaitAsync(RedisStoreKeys.CorrelationSignal(connection, normalizedSmscMessageId), LookAsync, wait, cancellationToken).ConfigureAwait(false);
    }

    internal static string Serialize(SegmentCorrelation correlation) => JsonSerializer.Serialize(StoredCorrelation.From(correlation), RedisStoreJson.Options);

    /// <summary>The stored form: the submit span as its W3C traceparent string.</summary>
    private sealed record StoredCorrelation(
        string MessageId, int Segment, int Segments, IReadOnlyDictionary<string, string>? Metadata, DateTimeOffset SubmittedAt, string? Traceparent)
    {
        public static StoredCorrelation From(SegmentCorrelation c) => new(
            c.MessageId, c.Segment, c.Segments, c.Metadata, c.SubmittedAt,
            c.SubmitContext == default ? null : $"00-{c.SubmitContext.TraceId}-{c.SubmitContext.SpanId}-{(byte)c.SubmitContext.TraceFlags:x2}");

        public SegmentCorrelation ToCorrelation() => new()
        {
            MessageId = MessageId,
            Segment = Segment,
            Segments = Segments,
            Metadata = Metadata,
            SubmittedAt = SubmittedAt,
            SubmitContext = Traceparent is not null && ActivityContext.TryParse(Traceparent, null, out var context) ? context : default,
        };
    }
}
