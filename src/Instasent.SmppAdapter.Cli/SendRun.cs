using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using System.Threading.Channels;
using Instasent.SmppAdapter.Contracts;

namespace Instasent.SmppAdapter.Cli;

/// <summary>What <c>send</c> was asked to do, validated.</summary>
/// <param name="Messages">The commands, in sending order; their message ids are distinct.</param>
/// <param name="Rate">Messages per second, or null for as fast as the broker confirms.</param>
/// <param name="WaitOutcome">Wait for each message's <see cref="SmsSubmitted"/> or <see cref="SmsRejected"/>.</param>
/// <param name="WaitReceipts">Also wait for a final delivery receipt for every segment of each submitted message.</param>
/// <param name="Timeout">How long after its send a message may take to reach its outcome (and its receipts).</param>
internal sealed record SendPlan(IReadOnlyList<SendSms> Messages, double? Rate, bool WaitOutcome, bool WaitReceipts, TimeSpan Timeout);

/// <summary>
/// One run of <c>send</c>: paces the commands (<see cref="Pacer"/>), correlates the events that come back by messageId
/// (receipts also by the SMSC's message ids), prints each as it arrives, draws the progress bar and sums it up.
/// The broker is behind two delegates, so the whole run is exercised in tests without one.
/// </summary>
internal sealed class SendRun
{
    static readonly TimeSpan RedrawEvery = TimeSpan.FromMilliseconds(100);
    const int MaxSendsInFlight = 64;

    readonly SendPlan _plan;
    readonly Terminal _terminal;
    readonly TimeProvider _time;
    readonly bool _showProgress;
    readonly Lock _gate = new();
    readonly Dictionary<string, Tracked> _byMessageId;
    readonly Dictionary<string, Tracked> _bySmscMessageId = [];
    readonly Dictionary<string, int> _rejectedBy = [];
    readonly Dictionary<string, int> _receiptStatuses = [];
    readonly TaskCompletionSource _allResolved = new(TaskCreationOptions.RunContinuationsAsynchronously);
    int _sent;
    int _submitted;
    int _resolved;
    bool _sendingDone;
    long _firstSentAt;
    long _lastSentAt;
    long _lastRedraw;
    int _lastStep = -1;
    string? _lastLine;
    volatile ExceptionDispatchInfo? _sendFailure;

    SendRun(SendPlan plan, Terminal terminal, TimeProvider time)
    {
        _plan = plan;
        _terminal = terminal;
        _time = time;
        _showProgress = plan.Messages.Count > 1;
        _byMessageId = plan.Messages.ToDictionary(m => m.MessageId, _ => new Tracked());
    }

    /// <summary>
    /// Sends every message of the plan and waits as it asks; Ctrl-C (the cancellation token) ends it early with a
    /// summary. <c>send</c> sends one command and returns once the broker confirmed it; <c>events</c> are those
    /// subscribed to before the first send (outcomes, and receipts when waited for).
    /// </summary>
    public static async Task<SendSummary> RunAsync(
        SendPlan plan,
        Func<SendSms, CancellationToken, Task> send,
        ChannelReader<BusEvent> events,
        Terminal terminal,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var run = new SendRun(plan, terminal, time);
        using var stopListening = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var listening = run.ListenAsync(events, stopListening.Token);
        var interrupted = false;
        try
        {
            await run.SendAllAsync(send, cancellationToken).ConfigureAwait(false);
            await run.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
        }
        finally
        {
            await stopListening.CancelAsync().ConfigureAwait(false);
            await listening.ConfigureAwait(false);
            run.ShowProgress(force: true);
            terminal.ClearStatus();
        }

        return run.Summarise(interrupted);
    }

    async Task SendAllAsync(Func<SendSms, CancellationToken, Task> send, CancellationToken cancellationToken)
    {
        var pacer = _plan.Rate is { } rate ? new Pacer(rate, _time) : null;
        // Sends overlap (each waits for its publisher confirm), so the rate is not capped at one round trip per message.
        using var inFlight = new SemaphoreSlim(MaxSendsInFlight);
        var sends = new List<Task>(_plan.Messages.Count);
        foreach (var message in _plan.Messages)
        {
            if (pacer is not null)
            {
                await pacer.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            await inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
            // A failed send means the broker went away: stop sending and let the error say so.
            _sendFailure?.Throw();

            lock (_gate)
            {
                // The clock starts before the send: an outcome can arrive before the broker's confirm does.
                var now = _time.GetTimestamp();
                _byMessageId[message.MessageId].SentAt = now;
                if (_sent++ == 0)
                {
                    _firstSentAt = now;
                }

                _lastSentAt = now;
            }

            sends.Add(SendOneAsync(message));
        }

        await Task.WhenAll(sends).ConfigureAwait(false);
        lock (_gate)
        {
            _sendingDone = true;
            CompleteIfResolved();
        }

        // On a terminal, redraw now that sending is over; off one, the line for the last tenth has just been printed
        // and the final state follows at the end.
        if (_terminal.Interactive)
        {
            ShowProgress(force: true);
        }

        async Task SendOneAsync(SendSms message)
        {
            try
            {
                await send(message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _sendFailure ??= ExceptionDispatchInfo.Capture(ex);
                throw;
            }
            finally
            {
                inFlight.Release();
            }

            ShowProgress();
        }
    }

    async Task WaitAsync(CancellationToken cancellationToken)
    {
        if (!_plan.WaitOutcome)
        {
            return;
        }

        // Every message has the same allowance from its own send, so the last one sent sets the end.
        var remaining = _plan.Timeout - _time.GetElapsedTime(_lastSentAt);
        if (remaining > TimeSpan.Zero)
        {
            using var stopTimer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            await Task.WhenAny(_allResolved.Task, Task.Delay(remaining, _time, stopTimer.Token)).ConfigureAwait(false);
            await stopTimer.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    async Task ListenAsync(ChannelReader<BusEvent> events, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var evt in events.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (Observe(evt))
                {
                    _terminal.Result(_terminal.Json ? evt.ToJson() : evt.ToString());
                    ShowProgress();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over: events still in flight belong to no one.
        }
    }

    /// <summary>Records an event; true when it is about one of our messages and not a repeat.</summary>
    bool Observe(BusEvent evt)
    {
        lock (_gate)
        {
            switch (evt.Message)
            {
                case SmsSubmitted submitted when Outcome(submitted.MessageId) is ({ } tracked, var latency):
                    tracked.Outcome = OutcomeKind.Submitted;
                    tracked.OutcomeLatency = latency;
                    tracked.Segments = submitted.Segments;
                    foreach (var smscMessageId in submitted.SmscMessageIds)
                    {
                        _bySmscMessageId[smscMessageId] = tracked;
                    }

                    _submitted++;
                    TryCompleteReceipts(tracked);
                    ResolveIfDone(tracked);
                    return true;

                case SmsRejected rejected when Outcome(rejected.MessageId) is ({ } tracked, var latency):
                    tracked.Outcome = OutcomeKind.Rejected;
                    tracked.OutcomeLatency = latency;
                    var key = rejected.CommandStatus is { } status
                        ? BusEvent.StatusName(status, rejected.CommandStatusName)
                        : rejected.Reason;
                    _rejectedBy[key] = _rejectedBy.GetValueOrDefault(key) + 1;
                    ResolveIfDone(tracked);
                    return true;

                case SmsDeliveryReported receipt:
                    return _plan.WaitReceipts && ObserveReceipt(receipt);

                default:
                    return false;
            }
        }
    }

    /// <summary>The message an outcome is about, with its latency, when it is ours, first, and in time.</summary>
    (Tracked, TimeSpan)? Outcome(string messageId)
    {
        if (!_byMessageId.TryGetValue(messageId, out var tracked) || tracked.SentAt is not { } sentAt || tracked.Outcome != OutcomeKind.None)
        {
            return null;
        }

        // At least once: a repeated outcome is ignored above; a late one counts as a timeout, as the summary says.
        var latency = _time.GetElapsedTime(sentAt);
        return latency <= _plan.Timeout ? (tracked, latency) : null;
    }

    bool ObserveReceipt(SmsDeliveryReported receipt)
    {
        Tracked? tracked = null;
        if (receipt.MessageId is { } messageId)
        {
            _byMessageId.TryGetValue(messageId, out tracked);
        }

        // An unmatched receipt (the adapter no longer remembered the submission) still names the SMSC's id.
        tracked ??= _bySmscMessageId.GetValueOrDefault(receipt.SmscMessageId);
        if (tracked?.SentAt is null)
        {
            return false;
        }

        if (receipt.Intermediate)
        {
            return true;
        }

        // At least once: one final receipt per segment counts, repeats are not printed again.
        if (!tracked.FinalReceipts.Add(receipt.SmscMessageId))
        {
            return false;
        }

        _receiptStatuses[receipt.Status] = _receiptStatuses.GetValueOrDefault(receipt.Status) + 1;
        TryCompleteReceipts(tracked);
        ResolveIfDone(tracked);
        return true;
    }

    void TryCompleteReceipts(Tracked tracked)
    {
        if (tracked.ReceiptLatency is null && tracked.Segments is { } segments && tracked.FinalReceipts.Count >= segments
            && _time.GetElapsedTime(tracked.SentAt!.Value) is var latency && latency <= _plan.Timeout)
        {
            tracked.ReceiptLatency = latency;
        }
    }

    void ResolveIfDone(Tracked tracked)
    {
        var done = tracked.Outcome == OutcomeKind.Rejected
            || (tracked.Outcome == OutcomeKind.Submitted && (!_plan.WaitReceipts || tracked.ReceiptLatency is not null));
        if (done && !tracked.Resolved)
        {
            tracked.Resolved = true;
            _resolved++;
            CompleteIfResolved();
        }
    }

    void CompleteIfResolved()
    {
        if (_sendingDone && _resolved == _sent)
        {
            _allResolved.TrySetResult();
        }
    }

    void ShowProgress(bool force = false)
    {
        if (!_showProgress)
        {
            return;
        }

        string line;
        lock (_gate)
        {
            var total = _plan.Messages.Count;
            if (_terminal.Interactive)
            {
                var now = _time.GetTimestamp();
                if (!force && _time.GetElapsedTime(_lastRedraw, now) < RedrawEvery)
                {
                    return;
                }

                _lastRedraw = now;
            }
            else
            {
                // Off a terminal, a line per tenth of the messages sent is enough to show it is moving.
                var step = _sent * 10 / total;
                if (step == _lastStep && !force)
                {
                    return;
                }

                _lastStep = step;
            }

            var done = _plan.WaitOutcome ? _resolved : _sent;
            const int width = 30;
            var filled = done * width / total;
            var text = $"[{new string('#', filled)}{new string('-', width - filled)}] {done}/{total} " +
                   $"sent {_sent} · submitted {_submitted} · rejected {_rejectedBy.Values.Sum()} · {Rate(_sent, _firstSentAt, _lastSentAt) ?? 0:0.0} msg/s";
            if (text == _lastLine)
            {
                return;
            }

            line = _lastLine = text;
        }

        _terminal.Status(line);
    }

    SendSummary Summarise(bool interrupted)
    {
        lock (_gate)
        {
            var sent = _byMessageId.Values.Where(t => t.SentAt is not null).ToList();
            var submitted = sent.Where(t => t.Outcome == OutcomeKind.Submitted).ToList();
            return new SendSummary(
                Total: _plan.Messages.Count,
                Sent: sent.Count,
                WaitedOutcome: _plan.WaitOutcome,
                Submitted: submitted.Count,
                Rejected: new Dictionary<string, int>(_rejectedBy),
                TimedOut: _plan.WaitOutcome ? sent.Count(t => t.Outcome == OutcomeKind.None) : 0,
                OutcomeLatency: LatencySummary.Of(sent.Where(t => t.OutcomeLatency is not null).Select(t => t.OutcomeLatency!.Value)),
                SendRate: Rate(_sent, _firstSentAt, _lastSentAt),
                WaitedReceipts: _plan.WaitReceipts,
                ReceiptStatuses: new Dictionary<string, int>(_receiptStatuses),
                ReceiptsTimedOut: _plan.WaitReceipts ? submitted.Count(t => t.ReceiptLatency is null) : 0,
                ReceiptLatency: LatencySummary.Of(submitted.Where(t => t.ReceiptLatency is not null).Select(t => t.ReceiptLatency!.Value)),
                Interrupted: interrupted);
        }
    }

    double? Rate(int sent, long first, long last)
    {
        // n sends span n-1 intervals: 100 messages at 10/s take 9.9 s.
        var span = _time.GetElapsedTime(first, last);
        return sent > 1 && span > TimeSpan.Zero ? (sent - 1) / span.TotalSeconds : null;
    }

    enum OutcomeKind { None, Submitted, Rejected }

    sealed class Tracked
    {
        public long? SentAt { get; set; }
        public OutcomeKind Outcome { get; set; }
        public TimeSpan? OutcomeLatency { get; set; }
        public int? Segments { get; set; }
        public HashSet<string> FinalReceipts { get; } = [];
        public TimeSpan? ReceiptLatency { get; set; }
        public bool Resolved { get; set; }
    }
}

/// <summary>The result of a <c>send</c> run: counts, latencies and the exit code they mean.</summary>
internal sealed record SendSummary(
    int Total,
    int Sent,
    bool WaitedOutcome,
    int Submitted,
    IReadOnlyDictionary<string, int> Rejected,
    int TimedOut,
    LatencySummary? OutcomeLatency,
    double? SendRate,
    bool WaitedReceipts,
    IReadOnlyDictionary<string, int> ReceiptStatuses,
    int ReceiptsTimedOut,
    LatencySummary? ReceiptLatency,
    bool Interrupted)
{
    public int RejectedCount => Rejected.Values.Sum();

    /// <summary>0 when every message was submitted (and, when waited for, every receipt came); 1 otherwise; 130 after Ctrl-C.</summary>
    public int ExitCode =>
        Interrupted ? ExitCodes.Interrupted
        : Sent < Total ? ExitCodes.Failed
        : !WaitedOutcome ? ExitCodes.Ok
        : Submitted == Total && ReceiptsTimedOut == 0 ? ExitCodes.Ok
        : ExitCodes.Failed;

    public IEnumerable<string> ToLines()
    {
        var rate = SendRate is { } r ? string.Create(CultureInfo.InvariantCulture, $" at {r:0.0} msg/s") : "";
        yield return $"sent {Sent}/{Total}{rate}{(Interrupted ? " (interrupted)" : "")}";
        if (!WaitedOutcome)
        {
            yield break;
        }

        yield return $"outcomes: {Submitted} submitted, {RejectedCount} rejected, {TimedOut} timed out";
        foreach (var (reason, count) in Rejected.OrderByDescending(r => r.Value))
        {
            yield return $"  rejected {count} × {reason}";
        }

        yield return $"latency send→outcome: {OutcomeLatency?.ToString() ?? "n/a"}";
        if (!WaitedReceipts)
        {
            yield break;
        }

        var statuses = ReceiptStatuses.Count == 0
            ? "none"
            : string.Join(", ", ReceiptStatuses.OrderByDescending(s => s.Value).Select(s => $"{s.Value} {s.Key}"));
        yield return $"receipts: {statuses}; {ReceiptsTimedOut} message(s) without all final receipts";
        yield return $"latency send→receipt: {ReceiptLatency?.ToString() ?? "n/a"}";
    }

    public string ToJson() => JsonSerializer.Serialize(new
    {
        type = "summary",
        total = Total,
        sent = Sent,
        submitted = Submitted,
        rejected = RejectedCount,
        rejectedBy = Rejected,
        timedOut = TimedOut,
        outcomeLatencyMs = Millis(OutcomeLatency),
        sendRate = SendRate,
        receipts = WaitedReceipts ? ReceiptStatuses : null,
        receiptsTimedOut = ReceiptsTimedOut,
        receiptLatencyMs = Millis(ReceiptLatency),
        interrupted = Interrupted,
        exitCode = ExitCode,
    }, BusEvent.JsonOptions);

    static object? Millis(LatencySummary? latency) => latency is null
        ? null
        : new
        {
            count = latency.Count,
            p50 = latency.P50.TotalMilliseconds,
            p95 = latency.P95.TotalMilliseconds,
            p99 = latency.P99.TotalMilliseconds,
            max = latency.Max.TotalMilliseconds,
        };
}
