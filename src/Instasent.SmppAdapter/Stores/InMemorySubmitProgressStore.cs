using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Stores;

/// <summary>
/// Progress kept <see cref="SendingOptions.StoreRetention"/> and at most <see cref="SendingOptions.IdempotencyMaxEntries"/>
/// commands; it survives hand-backs and redeliveries within the process, not a restart. Accepted segments' correlations
/// go to <paramref name="correlations"/>.
/// </summary>
public sealed class InMemorySubmitProgressStore(SendingOptions options, ICorrelationStore correlations, TimeProvider time) : ISubmitProgressStore
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

    public async ValueTask SaveAcceptedAsync(string messageId, SubmitProgress progress, AcceptedCorrelation? correlation, CancellationToken cancellationToken)
    {
        await SaveAsync(messageId, progress, cancellationToken).ConfigureAwait(false);
        if (correlation is not null)
        {
            await correlations.AddAsync(correlation.Connection, correlation.NormalizedSmscMessageId, correlation.Correlation).ConfigureAwait(false);
        }
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
