namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// A command's SMPP progress, kept across attempts (a hand-back, a redelivery, a restart when the store survives it):
/// which segments the SMSC accepted and their ids, the concatenation reference they went out with, and how often each
/// segment was sent without an answer. A new attempt resends only unaccepted segments, with the same reference, and
/// never sends a segment more than 1 + <c>MaxUnknownOutcomeResends</c> times in all.
/// </summary>
public sealed record SubmitProgress
{
    /// <summary>The UDH / SAR reference every segment carries; null for a single-segment SMS.</summary>
    public int? Reference { get; set; }

    /// <summary>Per segment, the SMSC's message_id once accepted.</summary>
    public required string?[] SmscMessageIds { get; init; }

    /// <summary>
    /// Per segment, the sends still without an answer. Counted before the PDU is written, so a crash while it is on the
    /// wire still counts it; taken back when an answer comes.
    /// </summary>
    public required int[] UnansweredSends { get; init; }

    public int Segments => SmscMessageIds.Length;

    public static SubmitProgress Start(int segments) => new()
    {
        SmscMessageIds = new string?[segments],
        UnansweredSends = new int[segments],
    };

    /// <summary>
    /// A single-segment command's progress as its claim records it on a first attempt: the one segment's send counted
    /// before it is written, as every send is (see <see cref="UnansweredSends"/>), in the claim's round trip instead of
    /// one of its own. Null for a command of several segments, whose concatenation reference is chosen after the claim.
    /// </summary>
    public static SubmitProgress? FirstSend(int segments) => segments != 1 ? null : new()
    {
        SmscMessageIds = new string?[1],
        UnansweredSends = [1],
    };
}

/// <summary>
/// Each in-flight command's <see cref="SubmitProgress"/>, by <c>messageId</c>. A new attempt gets it with its claim
/// (<see cref="IdempotencyClaim.Progress"/>), and it is forgotten when the outcome is recorded
/// (<see cref="IIdempotencyStore.CompleteAsync"/>).
/// </summary>
public interface ISubmitProgressStore
{
    ValueTask<SubmitProgress?> LoadAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="progress"/> whole (it is small: a few ids and counters).</summary>
    ValueTask SaveAsync(string messageId, SubmitProgress progress, CancellationToken cancellationToken);

    /// <summary>
    /// Writes <paramref name="progress"/> after a segment was accepted and, when a receipt was asked for, the segment's
    /// correlation (waking lookups waiting for it), in one step: a recorded acceptance always has its correlation.
    /// </summary>
    ValueTask SaveAcceptedAsync(string messageId, SubmitProgress progress, AcceptedCorrelation? correlation, CancellationToken cancellationToken);

    /// <summary>Forgets the progress.</summary>
    ValueTask RemoveAsync(string messageId, CancellationToken cancellationToken);
}

/// <summary>An accepted segment's correlation, by the connection and the SMSC's normalised message id it was accepted with.</summary>
public sealed record AcceptedCorrelation(string Connection, string NormalizedSmscMessageId, SegmentCorrelation Correlation);
