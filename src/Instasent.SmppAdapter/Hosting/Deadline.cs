namespace Instasent.SmppAdapter.Hosting;

/// <summary>
/// A token that fires after <c>Adapter:PublishTimeout</c> or when the caller's does, handed out by
/// <see cref="PublishDeadlines.Start"/>. Dispose it when the publish is done; that also stops its timer, and counts the
/// publish in <see cref="PublishDeadlines"/> when the timer had fired by then.
/// </summary>
public sealed class Deadline : IDisposable
{
    private readonly PublishDeadlines _owner;
    private readonly string _publish;
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _linked;

    internal Deadline(PublishDeadlines owner, string publish, TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        _owner = owner;
        _publish = publish;
        // The TimeProvider's own timer (tests' clocks hold), owned and disposed with the linked source.
        _timeout = new CancellationTokenSource(timeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timeout.Token);
    }

    public CancellationToken Token => _linked.Token;

    public void Dispose()
    {
        // The timer fired before the caller was done with the publish: it ran past its deadline (it gave up, or finished
        // just then).
        if (_timeout.IsCancellationRequested)
        {
            _owner.CountExceeded(_publish);
        }
        _linked.Dispose();
        _timeout.Dispose();
    }
}
