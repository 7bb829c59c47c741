using System.Text.Json;
using Instasent.SmppAdapter.Configuration;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Outcomes and claims in Redis, shared by every replica. A claim is a lease (<c>SET claim owner NX PX lease</c>): a
/// replica killed while holding it does not block the message forever, the lease lapses after
/// <see cref="StoresOptions.ClaimLease"/>. Outcomes are kept <see cref="StoresOptions.OutcomeRetention"/> as JSON with
/// their type name. A claim reads the command's progress in the same script, and recording an outcome drops it, so a
/// command's start and end are one round trip each.
/// </summary>
public sealed class RedisIdempotencyStore : IIdempotencyStore
{
    // Outcome first, then the claim, atomically: a copy completing between two separate lookups cannot be missed. The
    // claimed answer carries the progress, or, when there is none and the caller gave a first send's progress, records
    // that one and says so ('first').
    private static readonly LuaScript ClaimScript = LuaScript.Prepare("""
        local outcome = redis.call('GET', @outcome)
        if outcome then return {'completed', outcome} end
        if not redis.call('SET', @claim, @owner, 'NX', 'PX', @leaseMs) then return {'inflight'} end
        local progress = redis.call('GET', @progress)
        if progress then return {'claimed', progress} end
        if @firstSend == '' then return {'claimed'} end
        redis.call('SET', @progress, @firstSend, 'PX', @progressMs)
        return {'first'}
        """);

    // The outcome kept, the progress dropped.
    private const string RecordOutcomeLua = """
        redis.call('SET', @outcome, @value, 'PX', @retentionMs)
        redis.call('DEL', @progress)
        """;

    private static readonly LuaScript CompleteScript = LuaScript.Prepare(RecordOutcomeLua + "\nreturn 1");

    // The claim's end: the outcome recorded, then the claim released if still this owner's (with its notification to a
    // twin waiting for it, if any, after the outcome, so a woken twin finds it).
    private static readonly string CompleteAndReleaseLua = RecordOutcomeLua + "\n" + $"""
        if redis.call('GET', @claim) == @owner then
            redis.call('DEL', @claim)
            {RedisSignals.PublishIfAwaitedLua("released")}
        end
        """;

    private static readonly LuaScript CompleteAndReleaseScript = LuaScript.Prepare(CompleteAndReleaseLua + "\nreturn 1");

    // The same, with the last accepted segment's correlation and its notification (the correlation key is not in the
    // message's hash slot: one Redis primary, see RedisSubmitProgressStore).
    private static readonly LuaScript CompleteCorrelateAndReleaseScript = LuaScript.Prepare(
        RedisCorrelationStore.StoreLua + "\n" + CompleteAndReleaseLua + "\nreturn 1");

    // Deletes the claim only if this owner still holds it (its lease may have lapsed and another copy claimed it).
    private static readonly LuaScript ReleaseScript = LuaScript.Prepare($"""
        if redis.call('GET', @claim) == @owner then
            redis.call('DEL', @claim)
            {RedisSignals.PublishIfAwaitedLua("released")}
            return 1
        end
        return 0
        """);


    private readonly IConnectionMultiplexer _redis;
    private readonly StoresOptions _options;
    private readonly SendingOptions _sending;
    private readonly RedisStoreKeys _keys;
    private readonly RedisSignals _released;

    public RedisIdempotencyStore(IConnectionMultiplexer redis, StoresOptions options, SendingOptions sending, TimeProvider time)
    {
        _redis = redis;
        _options = options;
        _sending = sending;
        _keys = new RedisStoreKeys(options.KeyPrefix);
        _released = new RedisSignals(redis, _keys.ReleasedChannel, time);
    }

    public async ValueTask<IdempotencyClaim> ClaimAsync(string messageId, SubmitProgress? firstSend, CancellationToken cancellationToken)
    {
        var owner = Guid.NewGuid().ToString("N");
        var result = (RedisResult[])(await RedisOperations.MeasureAsync("idempotency.claim", () => _redis.GetDatabase().ScriptEvaluateAsync(ClaimScript, new
        {
            outcome = _keys.Outcome(messageId),
            claim = _keys.Claim(messageId),
            owner,
            leaseMs = (long)_options.ClaimLease.TotalMilliseconds,
            progress = _keys.Progress(messageId),
            firstSend = firstSend is null ? "" : RedisSubmitProgressStore.Serialize(firstSend),
            progressMs = (long)_options.OutcomeRetention.TotalMilliseconds,
        })).ConfigureAwait(false))!;
        return ((string)result[0]!) switch
        {
            "completed" => new IdempotencyClaim(IdempotencyClaimStatus.Completed, DeserializeOutcome((string)result[1]!), null),
            "claimed" or "first" => new IdempotencyClaim(IdempotencyClaimStatus.Claimed, null, () => Release(messageId, owner),
                result.Length > 1 ? RedisSubmitProgressStore.Deserialize((string)result[1]!) : null,
                (outcome, lastCorrelation) => CompleteAndReleaseAsync(messageId, owner, outcome, lastCorrelation),
                firstSendRecorded: (string)result[0]! == "first"),
            _ => new IdempotencyClaim(IdempotencyClaimStatus.InFlight, null, null),
        };
    }

    public async ValueTask CompleteAsync(string messageId, object outcome, CancellationToken cancellationToken) =>
        await RedisOperations.MeasureAsync("idempotency.complete", () => _redis.GetDatabase().ScriptEvaluateAsync(CompleteScript, new
        {
            outcome = _keys.Outcome(messageId),
            value = SerializeOutcome(outcome),
            retentionMs = (long)_options.OutcomeRetention.TotalMilliseconds,
            progress = _keys.Progress(messageId),
        })).ConfigureAwait(false);

    private async ValueTask CompleteAndReleaseAsync(string messageId, string owner, object outcome, AcceptedCorrelation? lastCorrelation)
    {
        var database = _redis.GetDatabase();
        var outcomeKey = _keys.Outcome(messageId);
        var value = SerializeOutcome(outcome);
        var retentionMs = (long)_options.OutcomeRetention.TotalMilliseconds;
        var progress = _keys.Progress(messageId);
        var claim = _keys.Claim(messageId);
        var releasedWaiting = _keys.ReleasedWaiting(messageId);
        var releasedChannel = _keys.ReleasedChannel;
        await RedisOperations.MeasureAsync("idempotency.complete", () => lastCorrelation is null
            ? database.ScriptEvaluateAsync(CompleteAndReleaseScript, new
            {
                outcome = outcomeKey, value, retentionMs, progress, claim, owner, releasedWaiting, releasedChannel, releasedSignal = messageId,
            })
            : database.ScriptEvaluateAsync(CompleteCorrelateAndReleaseScript, new
            {
                correlation = _keys.Correlation(lastCorrelation.Connection, lastCorrelation.NormalizedSmscMessageId),
                correlationValue = RedisCorrelationStore.Serialize(lastCorrelation.Correlation),
                correlationMs = (long)_sending.StoreRetention.TotalMilliseconds,
                correlatedWaiting = _keys.CorrelatedWaiting(lastCorrelation.Connection, lastCorrelation.NormalizedSmscMessageId),
                correlatedChannel = _keys.CorrelatedChannel,
                correlatedSignal = RedisStoreKeys.CorrelationSignal(lastCorrelation.Connection, lastCorrelation.NormalizedSmscMessageId),
                outcome = outcomeKey, value, retentionMs, progress, claim, owner, releasedWaiting, releasedChannel, releasedSignal = messageId,
            })).ConfigureAwait(false);
    }

    public async Task WaitForReleaseAsync(string messageId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var database = _redis.GetDatabase();
        var claim = _keys.Claim(messageId);
        var released = await _released.WaitAsync(
            messageId,
            async () => await RedisOperations.MeasureAsync("idempotency.released", () => database.KeyExistsAsync(claim)).ConfigureAwait(false) ? null : claim.ToString(),
            timeout,
            cancellationToken).ConfigureAwait(false);
        if (released is null)
        {
            throw new TimeoutException($"the claim on {messageId} was not released within {timeout}");
        }
    }

    /// <summary>
    /// Fire and forget through the multiplexer (which owns the command): disposal is synchronous, and a release that
    /// does not reach Redis only leaves the lease to lapse.
    /// </summary>
    private void Release(string messageId, string owner) =>
        _redis.GetDatabase().ScriptEvaluate(ReleaseScript, new
        {
            claim = _keys.Claim(messageId),
            owner,
            releasedWaiting = _keys.ReleasedWaiting(messageId),
            releasedChannel = _keys.ReleasedChannel,
            releasedSignal = messageId,
        }, CommandFlags.FireAndForget);

    internal static string SerializeOutcome(object outcome) => outcome is SmsSubmitted or SmsRejected
        ? JsonSerializer.Serialize(new StoredOutcome(outcome.GetType().Name, JsonSerializer.SerializeToElement(outcome, outcome.GetType(), RedisStoreJson.Options)), RedisStoreJson.Options)
        : throw new ArgumentException($"only {nameof(SmsSubmitted)} and {nameof(SmsRejected)} are stored (was {outcome.GetType().Name})", nameof(outcome));

    internal static object DeserializeOutcome(string json)
    {
        var stored = JsonSerializer.Deserialize<StoredOutcome>(json, RedisStoreJson.Options) ?? throw new JsonException("an empty stored outcome");
        return stored.Type switch
        {
            nameof(SmsSubmitted) => stored.Outcome.Deserialize<SmsSubmitted>(RedisStoreJson.Options)!,
            nameof(SmsRejected) => stored.Outcome.Deserialize<SmsRejected>(RedisStoreJson.Options)!,
            _ => throw new JsonException($"an unknown stored outcome type {stored.Type}"),
        };
    }

    private sealed record StoredOutcome(string Type, JsonElement Outcome);
}
