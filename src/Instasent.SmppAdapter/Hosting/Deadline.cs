namespace Instasent.SmppAdapter.Hosting;

/// <summary>
/// A token that fires after <c>Adapter:PublishTimeout</c> (within an eighth of it more: see <see cref="PublishDeadlines"/>)
/// or when the caller's does, handed out by <see cref="PublishDeadlines.Start"/>. Dispose it when the publish is done;
/// that counts the publish in <see cref="PublishDeadlines"/> when its deadline had passed by then.
/// </summary>
public sealed class Deadline : IDisposable
{
    private readonly PublishDeadlines _owner;
    private readonly string _publish;
    private readonly CancellationToken _timeout;
    private readonly CancellationTokenSource? _linked;

    internal Deadline(PublishDeadlines owner, string publish, CancellationToken timeout, CancellationToken cancellationToken)
    {
        _owner = owner;
        _publish = publish;
        _timeout = timeout;
        // Only a caller's token that can fire needs a source of its own; most publishes pass none.
        if (cancellationToken.CanBeCanceled)
        {
            _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout);
        }
    }

    public CancellationToken Token => _linked?.Token ?? _timeout;

    public void Dispose()
    {
        // The deadline passed before the caller was done with the publish: it ran past it (it gave up, or finished just then).
        if (_timeout.IsCancellationRequested)
        {
            _owner.CountExceeded(_publish);
        }
        _linked?.Dispose();
    }
}
