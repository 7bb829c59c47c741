namespace Instasent.SmppAdapter.Hosting;

/// <summary>
/// A token that fires after <c>Adapter:PublishTimeout</c> or when the caller's does: every publish to the broker has
/// one, so a broker that blocks publishers (a memory or disk alarm) cannot hold a command or a deliver_sm forever.
/// Dispose it when the publish is done; that also stops its timer.
/// </summary>
public sealed class Deadline : IDisposable
{
    private readonly CancellationTokenSource _timeout;
    private readonly CancellationTokenSource _linked;

    private Deadline(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        // The TimeProvider's own timer (tests' clocks hold), owned and disposed with the linked source.
        _timeout = new CancellationTokenSource(timeout, time);
        _linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _timeout.Token);
    }

    public CancellationToken Token => _linked.Token;

    public static Deadline After(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken) => new(timeout, time, cancellationToken);

    public void Dispose()
    {
        _linked.Dispose();
        _timeout.Dispose();
    }
}
