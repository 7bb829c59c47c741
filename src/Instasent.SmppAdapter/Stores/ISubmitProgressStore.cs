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
}

/// <summary>Each in-flight command's <see cref="SubmitProgress"/>, by <c>messageId</c>.</summary>
public interface ISubmitProgressStore
{
    ValueTask<SubmitProgress?> LoadAsync(string messageId, CancellationToken cancellationToken);

    /// <summary>Writes <paramref name="progress"/> whole (it is small: a few ids and counters).</summary>
    ValueTask SaveAsync(string messageId, SubmitProgress progress, CancellationToken cancellationToken);

    /// <summary>Forgets the progress once the command's outcome is recorded.</summary>
    ValueTask RemoveAsync(string messageId, CancellationToken cancellationToken);
}
