using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Sockets;
using Instasent.Smpp.Codec;
using Instasent.Smpp.Pdus;
using Microsoft.Extensions.Logging;
using SmppVersion = Instasent.Smpp.Pdus.InterfaceVersion;

namespace Instasent.SmppAdapter.Simulator;

internal enum BindKind
{
    None,
    Transmitter,
    Receiver,
    Transceiver,
}

/// <summary>
/// One ESME connection, server side. A read loop frames PDUs out of a <see cref="PipeReader"/> and answers them; every
/// write (answers, receipts, MO, delayed answers) goes through one gate into one <see cref="PipeWriter"/>. The read loop
/// collects all answers to what it has buffered and flushes them once, so a window of submit_sm costs one send.
/// </summary>
internal sealed class SimulatorConnection
{
    private readonly SmscSimulator _simulator;
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private readonly List<Pdu> _replies = [];
    private readonly Dictionary<uint, PendingDelivery> _outstanding = [];
    private readonly Lock _outstandingLock = new();
    private readonly bool _verbose;
    private bool _closed; // guarded by _outstandingLock
    private int _closeStarted;
    private int _sequence;
    private long _pdusReceived;
    private Task _run = Task.CompletedTask;
    private CancellationTokenRegistration _stopRegistration;

    public SimulatorConnection(SmscSimulator simulator, Socket socket, long id)
    {
        _simulator = simulator;
        _socket = socket;
        Id = id;
        _verbose = simulator.Options.Verbose;
        // Answers are small and latency-bound; Nagle would hold them back (and batching is done above TCP).
        socket.NoDelay = true;
        _stream = new NetworkStream(socket, ownsSocket: true);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 16 * 1024));
        Remote = socket.RemoteEndPoint?.ToString() ?? "?";
    }

    public long Id { get; }

    public string Remote { get; }

    public BindKind Bind { get; private set; }

    public AccountState? Account { get; private set; }

    public byte InterfaceVersion { get; private set; }

    /// <summary>deliver_sm outstanding on this session; guarded by <see cref="Account"/>'s lock.</summary>
    public int Window { get; set; }

    /// <summary>Completes when the connection has closed and its deliveries were handed back.</summary>
    public Task Completion => _run;

    private SimulatorFaults Faults => _simulator.Faults;

    private StatsCounters Counters => _simulator.Counters;

    public void Start(CancellationToken stopping)
    {
        _stopRegistration = stopping.Register(static state => ((SimulatorConnection)state!).Abort(), this);
        _run = RunAsync();
    }

    private enum Next
    {
        Continue,
        Close,
        Drop,
    }

    private async Task RunAsync()
    {
        if (_verbose) _simulator.Log.LogInformation("#{Id} connected from {Remote}", Id, Remote);
        var next = Next.Continue;
        try
        {
            while (next == Next.Continue)
            {
                var result = await _input.ReadAsync(_closing.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (next == Next.Continue)
                {
                    var status = PduCodec.TryRead(ref buffer, out var pdu, out var error);
                    if (status == PduReadStatus.NeedMoreData) break;
                    var dropAfter = Faults.DropConnectionAfterPdus;
                    if (++_pdusReceived >= dropAfter && dropAfter > 0)
                    {
                        next = Next.Drop;
                        break;
                    }
                    next = status == PduReadStatus.Pdu ? Handle(pdu!) : HandleUndecodable(error!);
                }
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (next == Next.Drop) break;
                if (_replies.Count > 0)
                {
                    var written = await WriteAsync(_replies).ConfigureAwait(false);
                    _replies.Clear();
                    if (!written) break;
                }
                if (result.IsCompleted) break;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The peer went away or the simulator is closing this connection.
        }
        catch (Exception e)
        {
            _simulator.Log.LogError(e, "#{Id} read loop failed", Id);
        }
        if (next == Next.Drop)
        {
            Interlocked.Increment(ref Counters.ConnectionsDropped);
            _simulator.Log.LogInformation("#{Id} dropped after {Count} PDUs (DropConnectionAfterPdus fault)", Id, _pdusReceived);
            Abort();
        }
        await CloseAsync().ConfigureAwait(false);
    }

    private Next Handle(Pdu pdu)
    {
        if (_verbose) _simulator.Log.LogInformation("#{Id} ← {Pdu}", Id, pdu);
        switch (pdu)
        {
            case SubmitSm submit:
                HandleSubmit(submit);
                return Next.Continue;
            case DeliverSmResp response:
                HandleDeliverResponse(response.SequenceNumber, response.CommandStatus);
                return Next.Continue;
            case GenericNack nack:
                // An ESME that cannot parse a deliver_sm answers generic_nack (SMPP 3.4 §4.3): a refusal of it.
                HandleDeliverResponse(nack.SequenceNumber, nack.CommandStatus);
                return Next.Continue;
            case EnquireLink enquireLink:
                // SMPP 5.0 §2.3 allows enquire_link in the open (not yet bound) state too, so it is answered before bind.
                if (Faults.IgnoreEnquireLink) return Next.Continue;
                Interlocked.Increment(ref Counters.EnquireLinksAnswered);
                _replies.Add(enquireLink.CreateResponse());
                return Next.Continue;
            case BindRequest bind:
                HandleBind(bind);
                return Next.Continue;
            case Unbind unbind:
                // Instasent lists unbind for SMPP 5.0 only; a 3.4 ESME unbinding is answered the same way rather than refused.
                if (Bind == BindKind.None)
                {
                    _replies.Add(unbind.CreateResponse(CommandStatus.ESME_RINVBNDSTS));
                    return Next.Continue;
                }
                _replies.Add(unbind.CreateResponse());
                return Next.Close;
            case { IsResponse: true }:
                // enquire_link_resp and unbind_resp need nothing; any other response answers nothing we sent.
                return Next.Continue;
            default:
                // query_sm, cancel_sm, replace_sm, submit_multi, data_sm, outbind ...: not among Instasent's PDUs.
                Nack(CommandStatus.ESME_RINVCMDID, pdu.SequenceNumber);
                return Next.Continue;
        }
    }

    private Next HandleUndecodable(PduDecodeError error)
    {
        _simulator.Log.LogWarning("#{Id} undecodable PDU: {Error}", Id, error);
        var sequence = error.SequenceNumber ?? 0;
        if (!error.StreamInSync)
        {
            // SMPP 3.4 §4.3: generic_nack for a PDU whose header is unusable; without a trustworthy length the next
            // PDU cannot be found, so the connection closes after it.
            Nack(error.Status, sequence);
            return Next.Close;
        }
        if (error.CommandId is CommandId.SubmitSm && Bind != BindKind.None && error.Status != CommandStatus.ESME_RINVCMDID)
        {
            // A field out of bounds (e.g. source_addr over 20 characters) is a refused submit, not a broken PDU.
            StatsCounters.Count(Counters.SubmitsRefused, error.Status);
            _replies.Add(new SubmitSm { SequenceNumber = sequence }.CreateResponse(error.Status));
            return Next.Continue;
        }
        if (error.CommandId is CommandId.SubmitSm && Bind == BindKind.None)
        {
            _replies.Add(new SubmitSm { SequenceNumber = sequence }.CreateResponse(CommandStatus.ESME_RINVBNDSTS));
            return Next.Continue;
        }
        if (error.CommandId is { } id && id.IsResponse())
        {
            // A response we cannot read still answers its request, badly.
            if (id is CommandId.DeliverSmResp) HandleDeliverResponse(sequence, error.Status);
            return Next.Continue;
        }
        Nack(error.Status, sequence);
        return Next.Continue;
    }

    private void Nack(CommandStatus status, uint sequence)
    {
        Interlocked.Increment(ref Counters.GenericNacksSent);
        _replies.Add(new GenericNack { CommandStatus = status, SequenceNumber = sequence });
    }

    private void HandleBind(BindRequest bind)
    {
        var status = CheckBind(bind, out var account);
        var response = (BindResponse)bind.CreateResponse(status)!;
        if (status != CommandStatus.ESME_ROK)
        {
            StatsCounters.Count(Counters.BindsRefused, status);
            _simulator.Log.LogInformation("#{Id} {Command} as '{SystemId}' refused: {Status}", Id, bind.CommandId.Describe(), bind.SystemId, status.Describe());
            _replies.Add(response);
            return;
        }
        response.SystemId = _simulator.Options.SmscSystemId;
        // SMPP 3.4 §4.1.2 / 5.0 §4.1.1.2: sc_interface_version tells a 3.4+ ESME what the SMSC speaks; an SMPP 3.3
        // ESME knows no TLVs, so it gets none.
        if (bind.InterfaceVersion >= SmppVersion.V34)
            response.Tlvs.ScInterfaceVersion = bind.InterfaceVersion >= SmppVersion.V50 ? SmppVersion.V50 : SmppVersion.V34;
        _replies.Add(response);

        Account = account;
        InterfaceVersion = bind.InterfaceVersion;
        Bind = bind switch
        {
            BindTransmitter => BindKind.Transmitter,
            BindReceiver => BindKind.Receiver,
            _ => BindKind.Transceiver,
        };
        Interlocked.Increment(ref Counters.BindsAccepted);
        Interlocked.Increment(ref Counters.BoundSessions);
        _simulator.Log.LogInformation("#{Id} bound {Bind} as '{SystemId}' (SMPP {Version}) from {Remote}", Id, Bind, bind.SystemId,
            SmppVersion.Describe(bind.InterfaceVersion), Remote);
        if (Bind != BindKind.Transmitter && account!.AddReceiver(this) is { } waiting) QueueDeliveries(waiting);
    }

    private CommandStatus CheckBind(BindRequest bind, out AccountState? account)
    {
        account = null;
        if (Bind != BindKind.None) return CommandStatus.ESME_RALYBND;
        if (Faults.RefusesBindsAt(_simulator.Time.GetUtcNow())) return CommandStatus.ESME_RBINDFAIL;
        account = _simulator.FindAccount(bind.SystemId);
        if (account is null) return CommandStatus.ESME_RINVSYSID;
        if (!string.Equals(account.Account.Password, bind.Password, StringComparison.Ordinal)) return CommandStatus.ESME_RINVPASWD;
        // Over the account's limit: ESME_RBINDFAIL. ESME_RALYBND would say this very session is bound already.
        return account.TryAddBind() ? CommandStatus.ESME_ROK : CommandStatus.ESME_RBINDFAIL;
    }

    private void HandleSubmit(SubmitSm submit)
    {
        // SMPP 3.4 §2.3: submit_sm needs a transmitter or transceiver bind.
        if (Bind is BindKind.None or BindKind.Receiver)
        {
            Refuse(submit, CommandStatus.ESME_RINVBNDSTS);
            return;
        }
        if (Faults.DropResponses)
        {
            Interlocked.Increment(ref Counters.SubmitsUnanswered);
            return;
        }
        var time = _simulator.Time;
        var status = Faults.QueueFull ? CommandStatus.ESME_RMSGQFUL
            : !Account!.TryTakeSubmitToken(Faults.MaxSubmitsPerSecond, time.GetTimestamp(), time) ? CommandStatus.ESME_RTHROTTLED
            : SubmitRules.Check(submit, InterfaceVersion);
        if (status != CommandStatus.ESME_ROK)
        {
            Refuse(submit, status);
            return;
        }
        var id = _simulator.NextMessageId();
        var response = (SubmitSmResp)submit.CreateResponse();
        response.MessageId = _simulator.ResponseMessageId(id);
        _simulator.OnSubmitAccepted(this, submit, id, response.MessageId);
        Answer(response);
    }

    private void Refuse(SubmitSm submit, CommandStatus status)
    {
        StatsCounters.Count(Counters.SubmitsRefused, status);
        Answer(submit.CreateResponse(status)!);
    }

    private void Answer(Pdu submitResponse)
    {
        var delay = Faults.ResponseDelay;
        if (delay > TimeSpan.Zero) _simulator.ScheduleResponse(this, submitResponse, delay);
        else _replies.Add(submitResponse);
    }

    private void HandleDeliverResponse(uint sequence, CommandStatus status)
    {
        PendingDelivery? delivery;
        lock (_outstandingLock)
        {
            if (!_outstanding.Remove(sequence, out delivery)) delivery = null;
        }
        StatsCounters.Count(Counters.DeliverSmResponses, status);
        if (delivery is null) return; // late (already timed out), or the malformed PDU's answer
        if (Account!.ReleaseSlots(this, 1) is { } waiting) QueueDeliveries(waiting);
        if (status == CommandStatus.ESME_ROK) _simulator.Acknowledge(delivery);
        else _simulator.Retry(delivery, $"answered {status.Describe()}");
    }

    /// <summary>Adds deliveries taken from the account's waiting queue to the answers the read loop is about to flush.</summary>
    private void QueueDeliveries(List<PendingDelivery> deliveries)
    {
        foreach (var delivery in deliveries)
        {
            if (TryPrepare(delivery)) _replies.Add(delivery.Pdu);
        }
    }

    /// <summary>
    /// Gives <paramref name="delivery"/> this session's next sequence_number and records it as awaiting deliver_sm_resp;
    /// false once the connection is closing (the caller resends it elsewhere).
    /// </summary>
    public bool TryPrepare(PendingDelivery delivery)
    {
        lock (_outstandingLock)
        {
            if (_closed) return false;
            // SMPP 3.4 §5.1.4: sequence_number 0x00000001 to 0x7FFFFFFF.
            var sequence = (uint)(Interlocked.Increment(ref _sequence) & 0x7FFFFFFF);
            if (sequence == 0) sequence = (uint)Interlocked.Increment(ref _sequence);
            delivery.Pdu.SequenceNumber = sequence;
            delivery.Attempts++;
            delivery.SentAt = _simulator.Time.GetUtcNow().UtcTicks;
            _outstanding[sequence] = delivery;
        }
        Interlocked.Increment(ref delivery.Kind == DeliveryKind.Receipt ? ref Counters.ReceiptsSent : ref Counters.MoSent);
        return true;
    }

    /// <summary>Removes the deliveries sent before <paramref name="cutoff"/> (UTC ticks) and still unanswered.</summary>
    public List<PendingDelivery>? TakeUnanswered(long cutoff)
    {
        List<PendingDelivery>? expired = null;
        lock (_outstandingLock)
        {
            if (_outstanding.Count == 0) return null;
            foreach (var (sequence, delivery) in _outstanding)
            {
                if (delivery.SentAt > cutoff) continue;
                (expired ??= []).Add(delivery);
            }
            if (expired is null) return null;
            foreach (var delivery in expired) _outstanding.Remove(delivery.Pdu.SequenceNumber);
        }
        return expired;
    }

    /// <summary>
    /// Encodes <paramref name="pdus"/> and flushes once. False when the connection is closing or the write failed (the
    /// connection is then reset, and what it had outstanding is resent elsewhere).
    /// </summary>
    public async ValueTask<bool> WriteAsync(IReadOnlyList<Pdu> pdus)
    {
        try
        {
            await _writeGate.WaitAsync(_closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        try
        {
            if (Faults.TryConsumeMalformedPdu()) WriteMalformedDeliverSm();
            foreach (var pdu in pdus)
            {
                PduCodec.Encode(pdu, _output);
                if (_verbose) _simulator.Log.LogInformation("#{Id} → {Pdu}", Id, pdu);
            }
            await _output.FlushAsync(_closing.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            Abort();
            return false;
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// A deliver_sm whose sm_length (200) runs past the end of the PDU: command_length is right, so the stream stays
    /// framed and a robust ESME answers with an error status (or generic_nack) and carries on.
    /// </summary>
    private void WriteMalformedDeliverSm()
    {
        ReadOnlySpan<byte> body =
        [
            0x00, // service_type
            0x01, 0x01, (byte)'3', (byte)'4', (byte)'6', (byte)'0', (byte)'0', 0x00, // source
            0x01, 0x01, (byte)'3', (byte)'4', (byte)'7', (byte)'0', (byte)'0', 0x00, // destination
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // esm_class .. sm_default_msg_id
            200, (byte)'h', (byte)'e', (byte)'l', (byte)'l', (byte)'o', // sm_length 200, then 5 octets
        ];
        var length = PduCodec.HeaderLength + body.Length;
        var span = _output.GetSpan(length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)length);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], (uint)CommandId.DeliverSm);
        BinaryPrimitives.WriteUInt32BigEndian(span[8..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(span[12..], (uint)(Interlocked.Increment(ref _sequence) & 0x7FFFFFFF));
        body.CopyTo(span[PduCodec.HeaderLength..]);
        _output.Advance(length);
        Interlocked.Increment(ref Counters.MalformedPdusSent);
        _simulator.Log.LogInformation("#{Id} → malformed deliver_sm (SendMalformedPduNext fault)", Id);
    }

    /// <summary>Resets the connection (RST, no unbind). Idempotent; the read loop then closes and cleans up.</summary>
    public void Abort()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // Already closed.
        }
        _socket.Dispose();
        try
        {
            _closing.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Closed already.
        }
    }

    private async Task CloseAsync()
    {
        if (Interlocked.Exchange(ref _closeStarted, 1) != 0) return;
        List<PendingDelivery>? outstanding;
        lock (_outstandingLock)
        {
            _closed = true;
            outstanding = _outstanding.Count > 0 ? [.. _outstanding.Values] : null;
            _outstanding.Clear();
        }
        await _stopRegistration.DisposeAsync().ConfigureAwait(false);
        await _closing.CancelAsync().ConfigureAwait(false);
        await _writeGate.WaitAsync().ConfigureAwait(false);
        try
        {
            await _output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The socket is gone already; nothing left to flush.
        }
        await _input.CompleteAsync().ConfigureAwait(false);
        await _stream.DisposeAsync().ConfigureAwait(false);
        _simulator.OnConnectionClosed(this, outstanding);
        if (Bind != BindKind.None || _verbose)
            _simulator.Log.LogInformation("#{Id} closed ({Bind} as '{SystemId}')", Id, Bind, Account?.Account.SystemId);
    }
}
