using Instasent.SmppAdapter.Configuration;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Every key and channel the Redis stores use, under <see cref="StoresOptions.KeyPrefix"/>. The keys of one message
/// share the hash tag <c>{messageId}</c>. The scripts that record an accepted segment or an outcome also write a receipt
/// correlation (keyed by the SMSC's id, another slot), so the stores need one Redis primary, not Redis Cluster.
/// </summary>
internal sealed class RedisStoreKeys(string prefix)
{
    public RedisKey Claim(string messageId) => $"{prefix}idem:{{{messageId}}}:claim";

    public RedisKey Outcome(string messageId) => $"{prefix}idem:{{{messageId}}}:outcome";

    public RedisKey Progress(string messageId) => $"{prefix}progress:{{{messageId}}}";

    /// <summary>Connection names are letters, digits, '-', '_' and '.', so the ':' after them is unambiguous.</summary>
    public RedisKey Correlation(string connection, string normalizedSmscMessageId) => $"{prefix}corr:{connection}:{normalizedSmscMessageId}";

    /// <summary>
    /// A long inbound message's parts until it is published. Every inbound key shares the hash tag <c>{inbound}</c>: the
    /// scripts touch a message's keys and the pending index together, so they stay in one cluster slot.
    /// </summary>
    public RedisKey InboundParts(string messageKey) => $"{prefix}inbound:{{inbound}}:parts:{messageKey}";

    /// <summary>The fingerprints of a published message's parts, to drop a part the SMSC resends.</summary>
    public RedisKey InboundPublished(string messageKey) => $"{prefix}inbound:{{inbound}}:published:{messageKey}";

    /// <summary>Message keys of messages not yet published, scored by the time they expire (Unix ms).</summary>
    public RedisKey InboundPending => $"{prefix}inbound:{{inbound}}:pending";

    /// <summary>Carries the messageId of each released claim.</summary>
    public string ReleasedChannel => prefix + "released";

    /// <summary>Carries <see cref="CorrelationSignal"/> of each added correlation.</summary>
    public string CorrelatedChannel => prefix + "correlated";

    /// <summary>
    /// A connection's GCRA state for <c>MaxSubmitsPerSecond</c>. The connection is the hash tag of every budget key, so
    /// a script over all of them stays in one cluster slot.
    /// </summary>
    public RedisKey SubmitBudget(string connection) => $"{prefix}budget:{{{connection}}}:submits";

    /// <summary>One of a connection's <c>MaxBinds</c> slots: its holder, with the lease as TTL.</summary>
    public RedisKey BindSlot(string connection, int slot) => $"{prefix}budget:{{{connection}}}:bind:{slot}";

    /// <summary>Carries the connection name of each released bind slot.</summary>
    public string BindReleasedChannel => prefix + "bind-released";

    public static string CorrelationSignal(string connection, string normalizedSmscMessageId) => connection + ":" + normalizedSmscMessageId;

    /// <summary>
    /// Exists while some replica waits for <paramref name="signal"/> on <paramref name="channel"/> (a TTL as long as its
    /// wait): a script publishes the signal only then, so no replica receives a message per command that nobody awaits.
    /// </summary>
    public static RedisKey Waiting(string channel, string signal) => $"{channel}:waiting:{signal}";

    /// <summary>The <see cref="Waiting"/> key of a twin waiting for the claim on <paramref name="messageId"/>.</summary>
    public RedisKey ReleasedWaiting(string messageId) => Waiting(ReleasedChannel, messageId);

    /// <summary>The <see cref="Waiting"/> key of a receipt waiting for its correlation.</summary>
    public RedisKey CorrelatedWaiting(string connection, string normalizedSmscMessageId) =>
        Waiting(CorrelatedChannel, CorrelationSignal(connection, normalizedSmscMessageId));
}
