using System.Collections.Concurrent;
using System.Text;
using Instasent.Smpp.Messages;
using Instasent.Smpp.Text;

namespace Instasent.SmppAdapter.Simulator;

/// <summary>The result of <see cref="SmscSimulator.InjectMoAsync"/>.</summary>
/// <param name="Segments">The deliver_sm of each segment, in order.</param>
/// <param name="Delivered">Completes when every segment was answered deliver_sm_resp ESME_ROK; faults when one was abandoned.</param>
public sealed record InjectedMo(IReadOnlyList<DeliverSm> Segments, Task Delivered);

// Receipts and MO messages: scheduling, routing to receiver-capable sessions, retries. One scheduler loop owns every
// timed action (receipts falling due, resends, delayed submit_sm_resp, deliver_sm response timeouts), so nothing runs
// on a timer of its own.
public sealed partial class SmscSimulator
{
    private readonly ConcurrentQueue<(long Due, PendingDelivery Delivery)> _receipts = new();
    private readonly PriorityQueue<Timed, long> _timed = new();
    private readonly Lock _timedLock = new();
    private readonly ConcurrentDictionary<MoTracker, byte> _moInFlight = new();
    private readonly List<Timed> _held = [];
    private TaskCompletionSource? _wakeSignal;
    private long _wakeAt = long.MinValue;
    private int _nextMoReference;

    /// <summary>A resend falling due, or a submit_sm_resp held back by <see cref="SimulatorFaults.ResponseDelay"/>.</summary>
    private readonly record struct Timed(PendingDelivery? Delivery, SimulatorSession? Connection, Pdu? Response);

    /// <summary>
    /// Sends a mobile-originated message to a receiver-capable session of <paramref name="systemId"/> (queued until one
    /// binds). Text longer than one short_message is split as <paramref name="segmentation"/> says; each segment's
    /// deliver_sm goes to the next receiver-capable session, like receipts. <paramref name="alphabet"/> null picks GSM 7-bit
    /// when every character fits, else UCS-2. Throws <see cref="ArgumentException"/> for an unknown account or an
    /// address SMPP cannot carry, and the text layer's exceptions for text that does not fit the alphabet or 255 segments.
    /// </summary>
    public async Task<InjectedMo> InjectMoAsync(string systemId, string from, string to, string text,
        SmsAlphabet? alphabet = null, MoSegmentation segmentation = MoSegmentation.Udh8, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var account = FindAccount(systemId) ?? throw new ArgumentException($"system_id '{systemId}' is not an account of this simulator", nameof(systemId));
        var mode = segmentation switch
        {
            MoSegmentation.Udh8 => SegmentationMode.Udh8,
            MoSegmentation.Udh16 => SegmentationMode.Udh16,
            MoSegmentation.Sar => SegmentationMode.Sar,
            _ => SegmentationMode.MessagePayload,
        };
        var reference = (ushort)Interlocked.Increment(ref _nextMoReference);
        if (mode == SegmentationMode.Udh8)
        {
            reference &= 0xFF;
        }

        var split = MessageSplitter.Split(text, alphabet, mode, reference);

        var pdus = new DeliverSm[split.Segments.Count];
        for (var i = 0; i < pdus.Length; i++)
        {
            var segment = split.Segments[i];
            var pdu = new DeliverSm();
            (pdu.SourceAddr, pdu.SourceAddrTon, pdu.SourceAddrNpi) = Address(from);
            (pdu.DestinationAddr, pdu.DestAddrTon, pdu.DestAddrNpi) = Address(to);
            segment.WriteTo(pdu);
            try
            {
                PduCodec.GetEncodedLength(pdu);
            }
            catch (PduFieldException e)
            {
                throw new ArgumentException($"MO cannot be sent: {e.Message}", e.Field == "source_addr" ? nameof(from) : nameof(to), e);
            }
            pdus[i] = pdu;
        }

        var tracker = new MoTracker(pdus.Length);
        _moInFlight[tracker] = 0;
        var sends = new Dictionary<SimulatorSession, List<Pdu>>();
        foreach (var pdu in pdus)
        {
            if (!TryReservePending())
            {
                Abandon(new PendingDelivery(account, DeliveryKind.Mo, pdu, tracker), "MaxPendingDeliveries reached", reserved: false);
                continue;
            }
            Route(new PendingDelivery(account, DeliveryKind.Mo, pdu, tracker), sends);
        }
        await SendAsync(sends).ConfigureAwait(false);
        return new InjectedMo(pdus, tracker.Delivered.Task);
    }

    private static (string Addr, Ton Ton, Npi Npi) Address(string address)
    {
        var digits = address.StartsWith('+') ? address[1..] : address;
        if (digits.Length > 0 && digits.All(char.IsAsciiDigit))
        {
            return digits.Length >= 7 ? (digits, Ton.International, Npi.Isdn) : (digits, Ton.Unknown, Npi.Isdn);
        }

        return (address, Ton.Alphanumeric, Npi.Unknown);
    }

    private void ScheduleReceipt(AccountState account, SubmitSm submit, long id, DateTimeOffset submittedAt)
    {
        // SMPP 3.4 §5.2.17: bits 1-0 of registered_delivery: 1 receipt on success or failure, 2 on failure only.
        var requested = submit.RegisteredDelivery & 0x03;
        if (requested is not (1 or 2))
        {
            return;
        }

        var state = _dealer.Next();
        if (requested == 2 && state == MessageState.Delivered)
        {
            return;
        }

        var doneAt = submittedAt + Options.ReceiptDelay;
        var delivery = new PendingDelivery(account, DeliveryKind.Receipt, BuildReceipt(submit, id, state, submittedAt, doneAt));
        if (!TryReservePending())
        {
            Abandon(delivery, "MaxPendingDeliveries reached", reserved: false);
            return;
        }
        var due = doneAt.UtcTicks;
        _receipts.Enqueue((due, delivery));
        Wake(due);
    }

    /// <summary>
    /// A receipt as SMPP 3.4 Appendix B writes it, and as TLVs (§5.3.2.12, .35, .31): from the handset back to the sender,
    /// esm_class 0x04 (SMSC delivery receipt).
    /// </summary>
    private DeliverSm BuildReceipt(SubmitSm submit, long id, MessageState state, DateTimeOffset submittedAt, DateTimeOffset doneAt)
    {
        var receiptId = ReceiptMessageId(id);
        // GSM MAP error causes, the kind of codes real receipts carry: 1 unknown subscriber, 27 absent subscriber,
        // 11 teleservice not provisioned.
        var error = state switch
        {
            MessageState.Undeliverable => 1,
            MessageState.Expired => 27,
            MessageState.Rejected => 11,
            _ => 0,
        };
        var pdu = new DeliverSm
        {
            SourceAddrTon = submit.DestAddrTon,
            SourceAddrNpi = submit.DestAddrNpi,
            SourceAddr = submit.DestinationAddr,
            DestAddrTon = submit.SourceAddrTon,
            DestAddrNpi = submit.SourceAddrNpi,
            DestinationAddr = submit.SourceAddr,
            EsmClass = EsmClass.SmscDeliveryReceipt,
            DataCoding = DataCodings.Gsm7,
        };
        if (Options.ReceiptForm != ReceiptForm.Tlv)
        {
            var text = $"id:{receiptId} sub:001 dlvrd:{(state == MessageState.Delivered ? "001" : "000")} " +
                $"submit date:{submittedAt.UtcDateTime:yyMMddHHmm} done date:{doneAt.UtcDateTime:yyMMddHHmm} " +
                $"stat:{state.ToSmppName()} err:{error:D3} text:{Snippet(submit)}";
            pdu.ShortMessage = Encoding.ASCII.GetBytes(text);
        }
        if (Options.ReceiptForm != ReceiptForm.Text)
        {
            pdu.Tlvs.ReceiptedMessageId = receiptId;
            pdu.Tlvs.MessageState = (byte)state;
            // network_error_code: network type 3 (GSM), then the error (SMPP 3.4 §5.3.2.31).
            if (state != MessageState.Delivered)
            {
                pdu.Tlvs.NetworkErrorCode = new byte[] { 3, (byte)(error >> 8), (byte)error };
            }
        }
        return pdu;
    }

    /// <summary>The first 20 characters of the message, limited to characters that read the same in ASCII and GSM 7-bit.</summary>
    private static string Snippet(SubmitSm submit)
    {
        var bytes = SubmitRules.Body(submit);
        var offset = UserDataHeader.GetTextOffset(submit.EsmClass, bytes.Span, out _);
        var text = SmsText.Decode(submit.DataCoding, bytes.Span[offset..]);
        var snippet = new StringBuilder(20);
        foreach (var c in text.AsSpan(0, Math.Min(20, text.Length)))
        {
            snippet.Append(char.IsAsciiLetterOrDigit(c) || c is ' ' or '.' or ',' or '!' or '?' or '-' or '+' or '/' or ':' or '(' or ')' or '\'' ? c : '?');
        }

        return snippet.ToString();
    }

    private bool TryReservePending()
    {
        if (Interlocked.Increment(ref Counters.DeliveriesPending) <= Options.MaxPendingDeliveries)
        {
            return true;
        }

        Interlocked.Decrement(ref Counters.DeliveriesPending);
        return false;
    }

    /// <summary>Puts <paramref name="delivery"/> on a receiver-capable session (into <paramref name="sends"/>) or the account's waiting queue.</summary>
    private void Route(PendingDelivery delivery, Dictionary<SimulatorSession, List<Pdu>> sends)
    {
        if (delivery.Account.Route(delivery) is not { } connection)
        {
            return;
        }

        if (connection.TryPrepare(delivery))
        {
            Add(sends, connection, delivery.Pdu);
        }
        else
        {
            ScheduleResend(delivery); // closed between routing and sending: its slot went with it
        }
    }

    private static void Add(Dictionary<SimulatorSession, List<Pdu>> sends, SimulatorSession connection, Pdu pdu)
    {
        if (!sends.TryGetValue(connection, out var list))
        {
            sends[connection] = list = [];
        }

        list.Add(pdu);
    }

    private static async Task SendAsync(Dictionary<SimulatorSession, List<Pdu>> sends)
    {
        foreach (var (connection, pdus) in sends)
        {
            await connection.WriteAsync(pdus).ConfigureAwait(false);
        }

        sends.Clear();
    }

    internal void Acknowledge(PendingDelivery delivery)
    {
        Interlocked.Decrement(ref Counters.DeliveriesPending);
        if (delivery.Kind == DeliveryKind.Receipt)
        {
            Interlocked.Increment(ref Counters.ReceiptsAcknowledged);
            return;
        }
        Interlocked.Increment(ref Counters.MoAcknowledged);
        if (delivery.Mo is { } mo)
        {
            mo.Acknowledged();
            if (mo.Delivered.Task.IsCompleted)
            {
                _moInFlight.TryRemove(mo, out _);
            }
        }
    }

    /// <summary>A deliver_sm was refused or left unanswered: send it again later, or give up after MaxDeliverAttempts.</summary>
    internal void Retry(PendingDelivery delivery, string reason)
    {
        if (delivery.Attempts >= Options.MaxDeliverAttempts)
        {
            Abandon(delivery, $"{reason}, after {delivery.Attempts} attempts", reserved: true);
            return;
        }
        Interlocked.Increment(ref Counters.DeliveriesRetried);
        ScheduleResend(delivery);
    }

    private void ScheduleResend(PendingDelivery delivery)
    {
        var due = Time.GetUtcNow().UtcTicks + Options.DeliverRetryDelay.Ticks;
        lock (_timedLock)
        {
            _timed.Enqueue(new Timed(delivery, null, null), due);
        }

        Wake(due);
    }

    private void Abandon(PendingDelivery delivery, string reason, bool reserved)
    {
        if (reserved)
        {
            Interlocked.Decrement(ref Counters.DeliveriesPending);
        }

        Interlocked.Increment(ref Counters.DeliveriesAbandoned);
        Log.LogWarning("gave up on {Kind} deliver_sm for {SystemId}: {Reason}", delivery.Kind, delivery.Account.Account.SystemId, reason);
        if (delivery.Mo is { } mo)
        {
            mo.Abandoned($"MO segment abandoned: {reason}");
            _moInFlight.TryRemove(mo, out _);
        }
    }

    /// <summary>
    /// Keeps <paramref name="response"/> while <see cref="SimulatorFaults.HoldResponses"/> is set; false when it is not.
    /// Checked and added under the lock <see cref="ReleaseHeldResponses"/> drains under, so nothing is held after a release.
    /// </summary>
    internal bool TryHoldResponse(SimulatorSession connection, Pdu response)
    {
        lock (_timedLock)
        {
            if (!Faults.HoldResponses)
            {
                return false;
            }
            _held.Add(new Timed(null, connection, response));
            Interlocked.Increment(ref Counters.ResponsesHeld);
            return true;
        }
    }

    /// <summary>Hands every held answer to the scheduler, due now, in the order they were held (<see cref="SimulatorFaults.HoldReleased"/>).</summary>
    private void ReleaseHeldResponses()
    {
        var now = Time.GetUtcNow().UtcTicks;
        lock (_timedLock)
        {
            foreach (var held in _held)
            {
                _timed.Enqueue(held, now);
            }
            Interlocked.Add(ref Counters.ResponsesHeld, -_held.Count);
            _held.Clear();
        }
        Wake(now);
    }

    /// <summary>Holds <paramref name="response"/> back for <paramref name="delay"/> (<see cref="SimulatorFaults.ResponseDelay"/>).</summary>
    internal void ScheduleResponse(SimulatorSession connection, Pdu response, TimeSpan delay)
    {
        var due = Time.GetUtcNow().UtcTicks + delay.Ticks;
        lock (_timedLock)
        {
            _timed.Enqueue(new Timed(null, connection, response), due);
        }

        Wake(due);
    }

    private void FailPendingDeliveries(string reason)
    {
        foreach (var mo in _moInFlight.Keys)
        {
            mo.Abandoned($"MO not delivered: {reason}");
        }

        _moInFlight.Clear();
    }

    private void Wake(long due)
    {
        if (due < Volatile.Read(ref _wakeAt))
        {
            Volatile.Read(ref _wakeSignal)?.TrySetResult();
        }
    }

    private TimeSpan SweepInterval => Options.DeliverResponseTimeout / 2 < TimeSpan.FromSeconds(1) ? Options.DeliverResponseTimeout / 2 : TimeSpan.FromSeconds(1);

    private async Task RunSchedulerAsync(CancellationToken stopping)
    {
        var sends = new Dictionary<SimulatorSession, List<Pdu>>();
        var due = new List<Timed>();
        var nextSweep = Time.GetUtcNow().UtcTicks + SweepInterval.Ticks;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                // Awake: producers need not signal until the next sleep publishes its wake-up time.
                Interlocked.Exchange(ref _wakeAt, long.MinValue);
                var now = Time.GetUtcNow().UtcTicks;
                while (_receipts.TryPeek(out var head) && head.Due <= now && _receipts.TryDequeue(out head))
                {
                    Route(head.Delivery, sends);
                }

                lock (_timedLock)
                {
                    while (_timed.TryPeek(out var item, out var at) && at <= now)
                    {
                        due.Add(_timed.Dequeue());
                    }
                }
                foreach (var item in due)
                {
                    if (item.Delivery is { } delivery)
                    {
                        Route(delivery, sends);
                    }
                    else
                    {
                        Add(sends, item.Connection!, item.Response!);
                    }
                }
                due.Clear();
                if (now >= nextSweep)
                {
                    SweepUnanswered(now, sends);
                    nextSweep = now + SweepInterval.Ticks;
                }
                await SendAsync(sends).ConfigureAwait(false);
                await SleepUntilAsync(nextSweep, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // Never let the one loop that owns timed work die: log and keep going.
                Log.LogError(e, "scheduler iteration failed");
            }
        }
    }

    private long EarliestDue()
    {
        var earliest = _receipts.TryPeek(out var head) ? head.Due : long.MaxValue;
        lock (_timedLock)
        {
            if (_timed.TryPeek(out _, out var at) && at < earliest)
            {
                earliest = at;
            }
        }
        return earliest;
    }

    private async Task SleepUntilAsync(long nextSweep, CancellationToken stopping)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _wakeSignal, signal);
        var wakeAt = Math.Min(nextSweep, EarliestDue());
        Interlocked.Exchange(ref _wakeAt, wakeAt);
        // Work queued between the pass above and publishing _wakeAt did not signal: look once more.
        wakeAt = Math.Min(wakeAt, EarliestDue());
        var delay = TimeSpan.FromTicks(wakeAt - Time.GetUtcNow().UtcTicks);
        if (delay <= TimeSpan.Zero)
        {
            return;
        }

        using var cancelDelay = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var timer = Task.Delay(delay, Time, cancelDelay.Token);
        await Task.WhenAny(signal.Task, timer).ConfigureAwait(false);
        await cancelDelay.CancelAsync().ConfigureAwait(false);
        stopping.ThrowIfCancellationRequested();
    }

    /// <summary>Takes back deliver_sm unanswered for DeliverResponseTimeout and refills those sessions' windows.</summary>
    private void SweepUnanswered(long now, Dictionary<SimulatorSession, List<Pdu>> sends)
    {
        var cutoff = now - Options.DeliverResponseTimeout.Ticks;
        foreach (var connection in _connections.Values)
        {
            if (connection.TakeUnanswered(cutoff) is not { } expired)
            {
                continue;
            }

            if (connection.Account!.ReleaseSlots(connection, expired.Count) is { } refill)
            {
                foreach (var delivery in refill)
                {
                    if (connection.TryPrepare(delivery))
                    {
                        Add(sends, connection, delivery.Pdu);
                    }
                    else
                    {
                        ScheduleResend(delivery);
                    }
                }
            }
            foreach (var delivery in expired)
            {
                Retry(delivery, $"no deliver_sm_resp within {Options.DeliverResponseTimeout}");
            }
        }
    }
}
