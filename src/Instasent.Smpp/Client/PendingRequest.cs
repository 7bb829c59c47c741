using System.Threading.Tasks.Sources;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Client;

/// <summary>
/// One request waiting for its response: the awaitable the caller waits on, its place in the session's deadline
/// list, and whether its bytes reached the socket. Pooled per session, so <see cref="_state"/> carries a generation
/// beside the phase: a stale write-queue entry from an earlier use cannot mark a later use as sent.
/// </summary>
internal sealed class PendingRequest : IValueTaskSource<Pdu>
{
    private const long Queued = 0;
    private const long Sent = 1;
    private const long Done = 2;
    private const long PhaseMask = 3;

    private ManualResetValueTaskSourceCore<Pdu> _core = new() { RunContinuationsAsynchronously = true };

    // generation * 4 + phase
    private long _state;

    public CommandId Command;
    public uint SequenceNumber;
    public long Deadline;
    public TimeSpan Timeout;
    public bool UsesWindow;

    // The session's deadline list (earliest first), guarded by the session's lock.
    public PendingRequest? Previous;
    public PendingRequest? Next;

    /// <summary>The value the write queue carries to prove it refers to this use of the object.</summary>
    public long WriteToken => Volatile.Read(ref _state) & ~PhaseMask;

    public ValueTask<Pdu> AsValueTask() => new(this, _core.Version);

    /// <summary>The write loop calls this just before encoding; false when the request already completed (skip it).</summary>
    public bool TryMarkSent(long writeToken) =>
        Interlocked.CompareExchange(ref _state, writeToken | Sent, writeToken | Queued) == (writeToken | Queued);

    /// <summary>Ends the request; returns whether its bytes had been handed to the socket. Exactly one caller (the one that removed it from the session's table) calls this.</summary>
    private bool MarkDone()
    {
        while (true)
        {
            var state = Volatile.Read(ref _state);
            if (Interlocked.CompareExchange(ref _state, (state & ~PhaseMask) | Done, state) == state)
            {
                return (state & PhaseMask) == Sent;
            }
        }
    }

    public void Succeed(Pdu response)
    {
        MarkDone();
        _core.SetResult(response);
    }

    /// <summary>Fails the request with the exception <paramref name="create"/> builds from whether it was sent.</summary>
    public void Fail<TState>(Func<PendingRequest, bool, TState, Exception> create, TState state)
    {
        var wasSent = MarkDone();
        _core.SetException(create(this, wasSent, state));
    }

    /// <summary>Makes the object ready for another request (a new generation).</summary>
    public void Reset()
    {
        _core.Reset();
        Previous = Next = null;
        Volatile.Write(ref _state, (Volatile.Read(ref _state) & ~PhaseMask) + 4);
    }

    public Pdu GetResult(short token) => _core.GetResult(token);

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
