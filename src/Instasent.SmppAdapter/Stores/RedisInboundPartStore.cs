using Instasent.SmppAdapter.Configuration;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Inbound parts in Redis: a hash per message (<c>n</c> parts stored, <c>total</c>, <c>conn</c>, <c>owner</c> once
/// complete, <c>p:seq</c> the part, <c>f:seq</c> its fingerprint), a set of published fingerprints per message, and one
/// sorted set of pending messages by expiry time. Each step is one Lua script, so two replicas adding the last two
/// parts at once cannot both see the message complete. The parts hash and the index live
/// <see cref="SendingOptions.InboundPartExpiry"/> twice over (the reporter takes them at once); fingerprints
/// <see cref="SendingOptions.StoreRetention"/>.
/// </summary>
public sealed class RedisInboundPartStore(IConnectionMultiplexer redis, StoresOptions stores, SendingOptions options, TimeProvider time)
    : IInboundPartStore
{
    // Returns {status, part1, part2, ...} with status 'pending', 'complete', 'duplicate' or 'busy'.
    private static readonly LuaScript AddScript = LuaScript.Prepare("""
        if redis.call('SISMEMBER', @done, @fingerprint) == 1 then return {'duplicate'} end
        local function parts()
            local out = {'complete'}
            for i = 1, tonumber(redis.call('HGET', @parts, 'total')) do out[i + 1] = redis.call('HGET', @parts, 'p:' .. i) end
            return out
        end
        local owner = redis.call('HGET', @parts, 'owner')
        if owner then
            if owner == @owner then return parts() end
            if redis.call('HGET', @parts, 'f:' .. @sequence) == @fingerprint then return {'duplicate'} end
            return {'busy'}
        end
        if redis.call('HEXISTS', @parts, 'f:' .. @sequence) == 1 then return {'duplicate'} end
        if redis.call('EXISTS', @parts) == 0 then
            redis.call('HSET', @parts, 'total', @total, 'conn', @connection, 'n', 0)
            redis.call('ZADD', @pending, @expiresAtMs, @messageKey)
        end
        redis.call('HSET', @parts, 'p:' .. @sequence, @value, 'f:' .. @sequence, @fingerprint)
        redis.call('PEXPIRE', @parts, @keepMs)
        redis.call('PEXPIRE', @pending, @keepMs)
        if redis.call('HINCRBY', @parts, 'n', 1) < tonumber(@total) then return {'pending'} end
        redis.call('HSET', @parts, 'owner', @owner)
        return parts()
        """);

    private static readonly LuaScript PublishedScript = LuaScript.Prepare("""
        local fields = redis.call('HGETALL', @parts)
        for i = 1, #fields, 2 do
            if string.sub(fields[i], 1, 2) == 'f:' then redis.call('SADD', @done, fields[i + 1]) end
        end
        redis.call('PEXPIRE', @done, @doneMs)
        redis.call('DEL', @parts)
        redis.call('ZREM', @pending, @messageKey)
        return 1
        """);

    // Built from the prefix inside the script: every inbound key shares the hash tag {inbound}, so they sit in one slot.
    private static readonly LuaScript TakeExpiredScript = LuaScript.Prepare("""
        local due = redis.call('ZRANGEBYSCORE', @pending, '-inf', @nowMs, 'LIMIT', 0, @max)
        local out = {}
        for _, key in ipairs(due) do
            redis.call('ZREM', @pending, key)
            local parts = @partsPrefix .. key
            local info = redis.call('HMGET', parts, 'conn', 'n', 'total', 'owner')
            redis.call('DEL', parts)
            table.insert(out, key)
            table.insert(out, info[1] or '')
            table.insert(out, info[2] or '0')
            table.insert(out, info[3] or '0')
            table.insert(out, info[4] and '1' or '0')
        end
        return out
        """);

    private readonly RedisStoreKeys _keys = new(stores.KeyPrefix);

    public async ValueTask<InboundPartAdded> AddAsync(InboundPartEntry part, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(AddScript, new
        {
            parts = _keys.InboundParts(part.MessageKey),
            done = _keys.InboundPublished(part.MessageKey),
            pending = _keys.InboundPending,
            messageKey = part.MessageKey,
            sequence = part.Sequence,
            total = part.Total,
            connection = part.Connection,
            fingerprint = part.Fingerprint,
            value = part.Value,
            owner = part.Owner,
            expiresAtMs = (time.GetUtcNow() + options.InboundPartExpiry).ToUnixTimeMilliseconds(),
            keepMs = (long)(options.InboundPartExpiry * 2).TotalMilliseconds,
        }).ConfigureAwait(false))!;
        return ((string)result[0]!) switch
        {
            "complete" => new InboundPartAdded(InboundPartStatus.Complete, result.Skip(1).Select(r => (byte[])r!).ToList()),
            "pending" => new InboundPartAdded(InboundPartStatus.Pending),
            "busy" => new InboundPartAdded(InboundPartStatus.Busy),
            _ => new InboundPartAdded(InboundPartStatus.Duplicate),
        };
    }

    public async ValueTask PublishedAsync(string messageKey, CancellationToken cancellationToken) =>
        await redis.GetDatabase().ScriptEvaluateAsync(PublishedScript, new
        {
            parts = _keys.InboundParts(messageKey),
            done = _keys.InboundPublished(messageKey),
            pending = _keys.InboundPending,
            messageKey,
            doneMs = (long)options.StoreRetention.TotalMilliseconds,
        }).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<ExpiredInboundMessage>> TakeExpiredAsync(int max, CancellationToken cancellationToken)
    {
        var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(TakeExpiredScript, new
        {
            pending = _keys.InboundPending,
            partsPrefix = _keys.InboundParts("").ToString(),
            nowMs = time.GetUtcNow().ToUnixTimeMilliseconds(),
            max,
        }).ConfigureAwait(false))!;
        var expired = new List<ExpiredInboundMessage>(result.Length / 5);
        for (var i = 0; i + 4 < result.Length; i += 5)
        {
            expired.Add(new ExpiredInboundMessage((string)result[i + 1]!, (string)result[i]!, (int)result[i + 2], (int)result[i + 3], (string)result[i + 4]! == "1"));
        }
        return expired;
    }
}
