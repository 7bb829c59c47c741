using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Parts held in the process for <see cref="SendingOptions.InboundPartExpiry"/>, fingerprints of published parts for
/// <see cref="SendingOptions.StoreRetention"/> (at most <see cref="SendingOptions.CorrelationMaxEntries"/>). Lost on
/// restart, which the README states: a long inbound SMS whose parts were taken from the queue but not published is lost.
/// </summary>
public sealed class InMemoryInboundPartStore(SendingOptions options, TimeProvider time) : IInboundPartStore
{
    private readonly Dictionary<string, Partial> _partials = new(StringComparer.Ordinal);
    private readonly ExpiringMap<string, bool> _published = new(options.StoreRetention, options.CorrelationMaxEntries, time);
    private readonly List<Partial> _expired = [];

    public ValueTask<InboundPartAdded> AddAsync(InboundPartEntry part, CancellationToken cancellationToken)
    {
        lock (_partials)
        {
            if (_published.TryGet(part.MessageKey + "/" + part.Fingerprint, out _))
            {
                return Answer(InboundPartStatus.Duplicate);
            }
            if (!_partials.TryGetValue(part.MessageKey, out var partial) || partial.ExpiresAt <= time.GetUtcNow())
            {
                // An expired one is left for TakeExpiredAsync to report; a new message under the key starts here.
                if (partial is not null)
                {
                    _expired.Add(partial);
                }
                partial = new Partial(part.Connection, part.MessageKey, part.Total, time.GetUtcNow() + options.InboundPartExpiry);
                _partials[part.MessageKey] = partial;
            }
            if (partial.Owner is not null)
            {
                return partial.Owner == part.Owner ? Answer(InboundPartStatus.Complete, partial.InOrder())
                    : Answer(partial.Fingerprints.Contains(part.Fingerprint) ? InboundPartStatus.Duplicate : InboundPartStatus.Busy);
            }
            if (!partial.Parts.TryAdd(part.Sequence, part.Value))
            {
                return Answer(InboundPartStatus.Duplicate);
            }
            partial.Fingerprints.Add(part.Fingerprint);
            if (partial.Parts.Count < partial.Total)
            {
                return Answer(InboundPartStatus.Pending);
            }
            partial.Owner = part.Owner;
            return Answer(InboundPartStatus.Complete, partial.InOrder());
        }
    }

    public ValueTask PublishedAsync(string messageKey, CancellationToken cancellationToken)
    {
        lock (_partials)
        {
            if (_partials.Remove(messageKey, out var partial))
            {
                foreach (var fingerprint in partial.Fingerprints)
                {
                    _published.Set(messageKey + "/" + fingerprint, true);
                }
            }
        }
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<ExpiredInboundMessage>> TakeExpiredAsync(int max, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_partials)
        {
            foreach (var (key, partial) in _partials)
            {
                if (partial.ExpiresAt <= now)
                {
                    _partials.Remove(key);
                    _expired.Add(partial);
                }
            }
            var taken = _expired.Take(max).ToList();
            _expired.RemoveRange(0, taken.Count);
            return ValueTask.FromResult<IReadOnlyList<ExpiredInboundMessage>>(
                taken.Select(p => new ExpiredInboundMessage(p.Connection, p.MessageKey, p.Parts.Count, p.Total, p.Owner is not null)).ToList());
        }
    }


    private static ValueTask<InboundPartAdded> Answer(InboundPartStatus status, IReadOnlyList<byte[]>? parts = null) => ValueTask.FromResult(new InboundPartAdded(status, parts));

    private sealed class Partial(string connection, string messageKey, int total, DateTimeOffset expiresAt)
    {
        public readonly string Connection = connection;
        public readonly string MessageKey = messageKey;
        public readonly int Total = total;
        public readonly DateTimeOffset ExpiresAt = expiresAt;
        public readonly SortedDictionary<int, byte[]> Parts = [];
        public readonly HashSet<string> Fingerprints = new(StringComparer.Ordinal);
        public string? Owner;

        public IReadOnlyList<byte[]> InOrder() => Parts.Values.ToList();
    }
}
