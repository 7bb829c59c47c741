using System.Net.Sockets;

namespace Instasent.SmppAdapter.Simulator;

// The read loop: frames PDUs, dispatches each to its handler, flushes the answers collected for one read at once.
internal sealed partial class SimulatorSession
{
    private enum Next
    {
        Continue,
        Close,
        Drop,
    }

    private async Task RunAsync()
    {
        if (_verbose)
        {
            _simulator.Log.LogInformation("#{Id} connected from {Remote}", Id, Remote);
        }

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
                    if (status == PduReadStatus.NeedMoreData)
                    {
                        break;
                    }

                    var dropAfter = Faults.DropConnectionAfterPdus;
                    if (++_pdusReceived >= dropAfter && dropAfter > 0)
                    {
                        next = Next.Drop;
                        break;
                    }
                    next = status == PduReadStatus.Pdu ? Handle(pdu!) : HandleUndecodable(error!);
                }
                _input.AdvanceTo(buffer.Start, buffer.End);
                if (next == Next.Drop)
                {
                    break;
                }

                if (_replies.Count > 0)
                {
                    var written = await WriteAsync(_replies).ConfigureAwait(false);
                    _replies.Clear();
                    if (!written)
                    {
                        break;
                    }
                }
                if (result.IsCompleted)
                {
                    break;
                }
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
        if (_verbose)
        {
            _simulator.Log.LogInformation("#{Id} ← {Pdu}", Id, pdu);
        }

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
                if (Faults.IgnoreEnquireLink)
                {
                    return Next.Continue;
                }

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
            if (id is CommandId.DeliverSmResp)
            {
                HandleDeliverResponse(sequence, error.Status);
            }

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
}
