namespace Instasent.SmppAdapter.Hosting;

/// <summary>
/// A token that fires after <c>Adapter:PublishTimeout</c> or when the caller's does: every publish to the broker has
/// one, so a broker that blocks publishers (a memory or disk alarm) cannot hold a command or a deliver_sm forever.
/// </summary>
public static class Deadline
{
    public static CancellationTokenSource After(TimeSpan timeout, TimeProvider time, CancellationToken cancellationToken)
    {
        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // CancelAfter on the linked source would use the real clock; a timer from the TimeProvider keeps tests' clocks.
        var timer = time.CreateTimer(static state => ((CancellationTokenSource)state!).Cancel(), deadline, timeout, Timeout.InfiniteTimeSpan);
        deadline.Token.Register(static state => ((ITimer)state!).Dispose(), timer);
        return deadline;
    }
}
