namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// One part of a long inbound message, as the store keeps it until its message is published.
/// </summary>
/// <param name="Connection">The connection it arrived on (named in expiry reports).</param>
/// <param name="MessageKey">Names the message: a hash of connection, numbers, concatenation reference and total (no number in clear).</param>
/// <param name="Sequence">1-based, at most <paramref name="Total"/>.</param>
/// <param name="Total">The parts the message announces.</param>
/// <param name="Fingerprint">A hash of the part (sequence and content): after the message is published, what is kept to drop a resend.</param>
/// <param name="Value">The part's user data (and whatever the caller needs to rebuild the message); deleted once the message is published.</param>
/// <param name="Owner">
/// Who adds it: the broker message carrying the part. The add that completes the message makes its owner the one to
/// publish; only the same owner (the same broker message redelivered after a crash) gets <see cref="InboundPartStatus.Complete"/> again.
/// </param>
public sealed record InboundPartEntry(string Connection, string MessageKey, int Sequence, int Total, string Fingerprint, byte[] Value, string Owner);

public enum InboundPartStatus
{
    /// <summary>Stored; parts are still missing.</summary>
    Pending,

    /// <summary>Every part is stored and this owner publishes: <see cref="InboundPartAdded.Parts"/> holds them in order.</summary>
    Complete,

    /// <summary>Already stored, already published, or completed by another owner: nothing to do.</summary>
    Duplicate,

    /// <summary>
    /// A different part of the same key while an earlier message under that key is complete and not yet published (a
    /// reused concatenation reference): not stored; try again once that message is published.
    /// </summary>
    Busy,
}

/// <summary>The answer of <see cref="IInboundPartStore.AddAsync"/>.</summary>
public sealed record InboundPartAdded(InboundPartStatus Status, IReadOnlyList<byte[]>? Parts = null);

/// <summary>A long inbound message that never completed (or completed and never got published) within the expiry.</summary>
public sealed record ExpiredInboundMessage(string Connection, string MessageKey, int ReceivedParts, int Total, bool Completed);

/// <summary>
/// The parts of long inbound messages between their arrival and their message's publish, shared by every replica: the
/// add is atomic, so exactly one add sees the message complete; after the publish only fingerprints stay (no text), so
/// a part the SMSC resends is dropped. Everything expires.
/// </summary>
public interface IInboundPartStore
{
    /// <summary>Stores a part unless it is known; see <see cref="InboundPartStatus"/>.</summary>
    ValueTask<InboundPartAdded> AddAsync(InboundPartEntry part, CancellationToken cancellationToken);

    /// <summary>The message is published: its parts are deleted, their fingerprints kept to drop resends.</summary>
    ValueTask PublishedAsync(string messageKey, CancellationToken cancellationToken);

    /// <summary>
    /// Takes (removes and returns) up to <paramref name="max"/> messages older than their expiry: each is returned to one
    /// caller only, whichever replica asks.
    /// </summary>
    ValueTask<IReadOnlyList<ExpiredInboundMessage>> TakeExpiredAsync(int max, CancellationToken cancellationToken);
}
