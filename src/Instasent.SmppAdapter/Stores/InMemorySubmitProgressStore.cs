using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Progress kept <see cref="SendingOptions.StoreRetention"/> and at most <see cref="SendingOptions.IdempotencyMaxEntries"/>
/// commands; it survives hand-backs and redeliveries within the process, not a restart.
/// </summary>
public sealed class InMemorySubmitProgressStore(SendingOptions options, TimeProvider time) : ISubmitProgressStore
{
    private readonly ExpiringMap<string, SubmitProgress> _progress = new(options.StoreRetention, options.IdempotencyMaxEntries, time);

    public ValueTask<SubmitProgress?> LoadAsync(string messageId, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_progress.TryGet(messageId, out var progress) ? Copy(progress) : null);

    public ValueTask SaveAsync(string messageId, SubmitProgress progress, CancellationToken cancellationToken)
    {
        // A copy, as a shared store would keep: the caller goes on changing its own.
        _progress.Set(messageId, Copy(progress));
        return ValueTask.CompletedTask;
    }

    public ValueTask RemoveAsync(string messageId, CancellationToken cancellationToken)
    {
        _progress.Remove(messageId);
        return ValueTask.CompletedTask;
    }

    private static SubmitProgress Copy(SubmitProgress progress) => progress with
    {
        SmscMessageIds = (string?[])progress.SmscMessageIds.Clone(),
        UnansweredSends = (int[])progress.UnansweredSends.Clone(),
    };
}
