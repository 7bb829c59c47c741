using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Client;

// Requests and their responses: the window, sequence numbers, the pending table and per-request timeouts.
public sealed partial class SmppSession
{
    /// <summary>SMPP 3.4 §5.1.4: sequence_number runs 1..0x7FFFFFFF.</summary>
    internal const uint MaxSequenceNumber = 0x7FFFFFFF;

    private static readonly TimeSpan MinResponseTimeout = TimeSpan.FromMilliseconds(1);
    private static readonly TimeSpan MaxResponseTimeout = TimeSpan.FromDays(1);

    private readonly SemaphoreSlim _window;
    private readonly Dictionary<uint, PendingRequest> _pending = new();
    private readonly Stack<PendingRequest> _pool = new();
    private readonly ITimer _timeoutTimer;

    // Outstanding requests by deadline, earliest first. With one ResponseTimeout for all requests this is send
    // order, so inserting is O(1) at the tail and one timer, armed for the head, serves the whole window; a request
    // with a shorter timeout of its own walks back from the tail to its place.
    private PendingRequest? _deadlineHead;
    private PendingRequest? _deadlineTail;
    private long _timerDue = long.MaxValue;

    private uint _lastSequenceNumber;
    private int _windowInUse;
    private int _consecutiveTimeouts;
    private TaskCompletionSource? _drained;

    /// <summary>Window slots taken by requests not yet answered (enquire_link, bind and unbind take none).</summary>
    public int WindowInUse => Volatile.Read(ref _windowInUse);

    /// <summary>The last sequence_number handed out; tests set it to exercise the wrap at 0x7FFFFFFF.</summary>
    internal uint LastSequenceNumber
    {
        get { lock (_sync)
            {
                return _lastSequenceNumber;
            }
        }
        set { lock (_sync)
            {
                _lastSequenceNumber = value;
            }
        }
    }

    /// <summary>submit_sm, waiting for a window slot first. See <see cref="SendAsync{TResponse}(Pdu, CancellationToken)"/>.</summary>
    public ValueTask<SubmitSmResp> SubmitAsync(SubmitSm submit, CancellationToken cancellationToken = default) =>
        SendAsync<SubmitSmResp>(submit, cancellationToken);

    /// <summary>submit_sm that waits <paramref name="responseTimeout"/> for its response instead of the session's ResponseTimeout.</summary>
    public ValueTask<SubmitSmResp> SubmitAsync(SubmitSm submit, TimeSpan responseTimeout, CancellationToken cancellationToken = default) =>
        SendAsync<SubmitSmResp>(submit, responseTimeout, cancellationToken);

    /// <summary>
    /// Sends <paramref name="request"/> (its sequence_number is assigned here) and returns the response whatever its
    /// command_status. Waits for a window slot when the window is full; <paramref name="cancellationToken"/> cancels
    /// only that wait. Once queued, the request ends with its response, its timeout or the session's close, so
    /// whether it reached the SMSC is always known.
    /// </summary>
    /// <exception cref="PduFieldException">A field cannot be encoded; nothing was sent.</exception>
    /// <exception cref="SmppGenericNackException">The SMSC answered generic_nack.</exception>
    /// <exception cref="SmppResponseTimeoutException">No response within ResponseTimeout (see <see cref="SmppRequestException.WasSent"/>).</exception>
    /// <exception cref="SmppSessionClosedException">The session closed first (see <see cref="SmppRequestException.WasSent"/>).</exception>
    public ValueTask<TResponse> SendAsync<TResponse>(Pdu request, CancellationToken cancellationToken = default) where TResponse : Pdu =>
        SendWithTimeoutAsync<TResponse>(request, Options.ResponseTimeout, cancellationToken);

    /// <summary>
    /// As <see cref="SendAsync{TResponse}(Pdu, CancellationToken)"/>, but this request waits
    /// <paramref name="responseTimeout"/> for its response (counted from when it is queued, after its window slot)
    /// instead of <see cref="SmppSessionOptions.ResponseTimeout"/>. Other requests keep their own deadlines.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="responseTimeout"/> is not between 1 ms and 1 day.</exception>
    public ValueTask<TResponse> SendAsync<TResponse>(Pdu request, TimeSpan responseTimeout, CancellationToken cancellationToken = default) where TResponse : Pdu
    {
        if (responseTimeout < MinResponseTimeout || responseTimeout > MaxResponseTimeout)
        {
            throw new ArgumentOutOfRangeException(nameof(responseTimeout), responseTimeout, $"A response timeout must be between {MinResponseTimeout.TotalMilliseconds:0} ms and {MaxResponseTimeout.TotalDays:0} day");
        }

        return SendWithTimeoutAsync<TResponse>(request, responseTimeout, cancellationToken);
    }

    private ValueTask<TResponse> SendWithTimeoutAsync<TResponse>(Pdu request, TimeSpan responseTimeout, CancellationToken cancellationToken) where TResponse : Pdu
    {
        ArgumentNullException.ThrowIfNull(request);
        var command = request.CommandId;
        if (command.IsResponse() || command is CommandId.Outbind or CommandId.AlertNotification)
        {
            throw new ArgumentException($"{command.Describe()} is not a request that is answered; send it as the handler's response instead", nameof(request));
        }

        if (command is CommandId.BindTransmitter or CommandId.BindReceiver or CommandId.BindTransceiver or CommandId.Unbind)
        {
            throw new ArgumentException($"{command.Describe()} is the session's own business: it binds when opened and unbinds in CloseAsync", nameof(request));
        }
        // Validates every field now, so a bad PDU fails in the caller and never reaches the write loop.
        PduCodec.GetEncodedLength(request);
        return SendCoreAsync<TResponse>(request, responseTimeout, usesWindow: true, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TResponse> SendCoreAsync<TResponse>(Pdu request, TimeSpan timeout, bool usesWindow, CancellationToken cancellationToken) where TResponse : Pdu
    {
        if (usesWindow)
        {
            if (!_accepting)
            {
                if (_state < SmppSessionState.Bound)
                {
                    throw new InvalidOperationException($"Session {SessionId} is {_state}, not bound yet: send once OpenAsync has completed");
                }

                throw ClosedException(request.CommandId, 0, wasSent: false);
            }
            await AcquireWindowAsync(request.CommandId, cancellationToken).ConfigureAwait(false);
        }

        var activity = StartRequestActivity(request);
        var started = _timeProvider.GetTimestamp();
        PendingRequest pending;
        try
        {
            pending = Register(request, timeout, usesWindow);
        }
        catch (Exception e)
        {
            if (usesWindow)
            {
                ReleaseWindow();
            }

            EndActivity(activity, null, e);
            throw;
        }
        activity?.SetTag(Tags.SequenceNumber, request.SequenceNumber);

        var item = new OutboundPdu(request, pending, pending.WriteToken);
        if (!_outbound.Writer.TryWrite(item))
        {
            await EnqueueSlowAsync(item).ConfigureAwait(false);
        }

        Pdu response;
        try
        {
            response = await pending.AsValueTask().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            EndActivity(activity, null, e);
            throw;
        }
        finally
        {
            Return(pending);
        }

        RecordResponse(request.CommandId, response.CommandStatus, started);
        if (response is GenericNack)
        {
            var nack = new SmppGenericNackException(request.CommandId, request.SequenceNumber, response.CommandStatus, SessionId);
            EndActivity(activity, response, nack);
            throw nack;
        }
        if (response.CommandId != request.CommandId.ResponseOf())
        {
            var wrong = new SmppProtocolException(request.CommandId, request.SequenceNumber,
                $"The SMSC answered {request.CommandId.Describe()} (sequence {request.SequenceNumber}) with {response.CommandId.Describe()} on session {SessionId}");
            EndActivity(activity, response, wrong);
            throw wrong;
        }
        EndActivity(activity, response, null);
        return response as TResponse ?? throw new InvalidOperationException(
            $"{request.CommandId.Describe()} is answered by {response.GetType().Name}, not {typeof(TResponse).Name}");
    }

    private async ValueTask EnqueueSlowAsync(OutboundPdu item)
    {
        try
        {
            await _outbound.Writer.WriteAsync(item).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // Closed while queueing: Abort has already failed the request (never sent) unless this claims it first.
            if (item.Pending is { } pending && TryClaim(pending.SequenceNumber, pending))
            {
                pending.Fail(static (p, wasSent, session) => session.ClosedException(p.Command, p.SequenceNumber, wasSent), this);
                if (pending.UsesWindow)
                {
                    ReleaseWindow();
                }
            }
        }
    }

    private ValueTask AcquireWindowAsync(CommandId command, CancellationToken cancellationToken)
    {
        if (_window.Wait(0))
        {
            OnWindowAcquired();
            return default;
        }
        return AcquireWindowSlowAsync(command, cancellationToken);
    }

    private async ValueTask AcquireWindowSlowAsync(CommandId command, CancellationToken cancellationToken)
    {
        try
        {
            if (cancellationToken.CanBeCanceled)
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopAcceptingCts.Token);
                await _window.WaitAsync(linked.Token).ConfigureAwait(false);
            }
            else
            {
                await _window.WaitAsync(_stopAcceptingCts.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw ClosedException(command, 0, wasSent: false);
        }
        OnWindowAcquired();
    }

    private void OnWindowAcquired()
    {
        Interlocked.Increment(ref _windowInUse);
        RecordWindowInUse(+1);
    }

    private void ReleaseWindow()
    {
        Interlocked.Decrement(ref _windowInUse);
        _window.Release();
        RecordWindowInUse(-1);
        CheckDrained();
    }

    private PendingRequest Register(Pdu request, TimeSpan timeout, bool usesWindow)
    {
        var now = _timeProvider.GetTimestamp();
        lock (_sync)
        {
            if (_closed || (usesWindow && !_accepting))
            {
                throw ClosedException(request.CommandId, 0, wasSent: false);
            }

            var pending = _pool.Count > 0 ? _pool.Pop() : new PendingRequest();
            pending.Command = request.CommandId;
            pending.Timeout = timeout;
            pending.UsesWindow = usesWindow;
            pending.Deadline = now + (long)(timeout.TotalSeconds * _timeProvider.TimestampFrequency);
            uint sequence;
            do
            {
                // Wraps to 1: a sequence still outstanding after 2^31 requests is skipped, never reused.
                sequence = _lastSequenceNumber = _lastSequenceNumber >= MaxSequenceNumber ? 1 : _lastSequenceNumber + 1;
            }
            while (!_pending.TryAdd(sequence, pending));
            pending.SequenceNumber = sequence;
            request.SequenceNumber = sequence;
            InsertByDeadline(pending);
            if (pending.Deadline < _timerDue)
            {
                ArmTimeoutTimer(pending.Deadline, now);
            }

            return pending;
        }
    }

    private void Return(PendingRequest pending)
    {
        pending.Reset();
        lock (_sync)
        {
            if (_pool.Count < Options.WindowSize + 8)
            {
                _pool.Push(pending);
            }
        }
    }

    /// <summary>Removes the request from the table if it is still there; only the caller that gets true may complete it.</summary>
    private bool TryClaim(uint sequenceNumber, PendingRequest expected)
    {
        lock (_sync)
        {
            if (!_pending.TryGetValue(sequenceNumber, out var found) || !ReferenceEquals(found, expected))
            {
                return false;
            }

            _pending.Remove(sequenceNumber);
            Unlink(found);
            return true;
        }
    }

    /// <summary>The read loop hands every response here (generic_nack included).</summary>
    private void OnResponse(Pdu response)
    {
        PendingRequest? pending;
        lock (_sync)
        {
            if (_pending.Remove(response.SequenceNumber, out pending))
            {
                Unlink(pending);
            }
        }
        if (pending is null)
        {
            // A late answer to a request that timed out, or an SMSC bug: nothing waits for it.
            Log.UnexpectedResponse(_logger, SessionId, response.CommandId.Describe(), response.SequenceNumber, response.CommandStatus.Describe());
            return;
        }
        Volatile.Write(ref _consecutiveTimeouts, 0);
        var usesWindow = pending.UsesWindow;
        pending.Succeed(response);
        if (usesWindow)
        {
            ReleaseWindow();
        }
    }

    /// <summary>A response whose body did not decode: the request gets an answer it cannot use.</summary>
    private void OnUndecodableResponse(uint sequenceNumber, PduDecodeError error)
    {
        PendingRequest? pending;
        lock (_sync)
        {
            if (_pending.Remove(sequenceNumber, out pending))
            {
                Unlink(pending);
            }
        }
        if (pending is null)
        {
            return;
        }

        var usesWindow = pending.UsesWindow;
        pending.Fail(static (p, _, state) => new SmppProtocolException(p.Command, p.SequenceNumber,
            $"The response to {p.Command.Describe()} (sequence {p.SequenceNumber}) on session {state.Item1} did not decode: {state.Item2}; its outcome is unknown"),
            (SessionId, error));
        if (usesWindow)
        {
            ReleaseWindow();
        }
    }

    private void InsertByDeadline(PendingRequest pending)
    {
        var after = _deadlineTail;
        while (after is not null && after.Deadline > pending.Deadline)
        {
            after = after.Previous;
        }

        pending.Previous = after;
        pending.Next = after is null ? _deadlineHead : after.Next;
        if (pending.Next is null)
        {
            _deadlineTail = pending;
        }
        else
        {
            pending.Next.Previous = pending;
        }

        if (after is null)
        {
            _deadlineHead = pending;
        }
        else
        {
            after.Next = pending;
        }
    }

    private void Unlink(PendingRequest pending)
    {
        if (pending.Previous is null)
        {
            _deadlineHead = pending.Next;
        }
        else
        {
            pending.Previous.Next = pending.Next;
        }

        if (pending.Next is null)
        {
            _deadlineTail = pending.Previous;
        }
        else
        {
            pending.Next.Previous = pending.Previous;
        }

        pending.Previous = pending.Next = null;
    }

    private void ArmTimeoutTimer(long due, long now)
    {
        _timerDue = due;
        _timeoutTimer.Change(due <= now ? TimeSpan.Zero : _timeProvider.GetElapsedTime(now, due), Timeout.InfiniteTimeSpan);
    }

    private void OnTimeoutTimer()
    {
        List<PendingRequest>? expired = null;
        lock (_sync)
        {
            if (_closed)
            {
                return;
            }

            var now = _timeProvider.GetTimestamp();
            while (_deadlineHead is { } head && head.Deadline <= now)
            {
                _pending.Remove(head.SequenceNumber);
                Unlink(head);
                (expired ??= []).Add(head);
            }
            _timerDue = long.MaxValue;
            // Lazy re-arming: answered requests leave the list without touching the timer; it re-arms here.
            if (_deadlineHead is { } next)
            {
                ArmTimeoutTimer(next.Deadline, now);
            }
        }
        if (expired is null)
        {
            return;
        }

        var enquireLinkLost = false;
        foreach (var pending in expired)
        {
            enquireLinkLost |= pending.Command == CommandId.EnquireLink;
            var usesWindow = pending.UsesWindow;
            Log.ResponseTimedOut(_logger, SessionId, pending.Command.Describe(), pending.SequenceNumber, pending.Timeout.TotalSeconds);
            pending.Fail(static (p, wasSent, session) => new SmppResponseTimeoutException(p.Command, p.SequenceNumber, wasSent, p.Timeout, session.SessionId), this);
            if (usesWindow)
            {
                ReleaseWindow();
            }
        }
        var inARow = Interlocked.Add(ref _consecutiveTimeouts, expired.Count);
        if (enquireLinkLost)
        {
            Abort(SmppCloseReason.LinkDead, $"no enquire_link_resp within {Options.ResponseTimeout.TotalSeconds:0.###} s", null, null);
        }
        else if (Options.DeadAfterConsecutiveTimeouts > 0 && inARow >= Options.DeadAfterConsecutiveTimeouts)
        {
            Abort(SmppCloseReason.LinkDead, $"{inARow} response timeouts in a row (limit {Options.DeadAfterConsecutiveTimeouts})", null, null);
        }
    }

    private void CheckDrained()
    {
        if (_drained is { } drained && Volatile.Read(ref _windowInUse) == 0 && Volatile.Read(ref _inboundInFlight) == 0)
        {
            drained.TrySetResult();
        }
    }
}
