namespace Instasent.SmppAdapter.Simulator;

// submit_sm: bind state, faults, throttling and Instasent's field rules, then a message_id and its receipt.
internal sealed partial class SimulatorSession
{
    /// <summary>The message_id length of <see cref="SimulatorFaults.OverlongMessageIds"/>: 70 octets, SMPP allows 64 and a NUL.</summary>
    internal const int OverlongMessageIdLength = 70;

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
        if (Faults.TakeGenericNack())
        {
            // SMPP 3.4 §4.3: an SMSC too busy to look at the PDU may answer generic_nack instead of submit_sm_resp.
            Interlocked.Increment(ref Counters.GenericNacksSent);
            Answer(new GenericNack { CommandStatus = Faults.GenericNackStatus, SequenceNumber = submit.SequenceNumber });
            return;
        }
        var time = _simulator.Time;
        var status = Faults.QueueFull ? CommandStatus.ESME_RMSGQFUL
            : !Account!.TryTakeSubmitToken(Faults.MaxSubmitsPerSecond, time.GetTimestamp(), time) ? CommandStatus.ESME_RTHROTTLED
            : SubmitRules.Check(submit, InterfaceVersion) is var rules and not CommandStatus.ESME_ROK ? rules
            : Faults.RefuseSegment is var refused and > 0 && SegmentKey.Concatenation(submit)?.Sequence == refused ? Faults.RefuseSegmentStatus
            : CommandStatus.ESME_ROK;
        if (status != CommandStatus.ESME_ROK)
        {
            Refuse(submit, status);
            return;
        }
        var id = _simulator.NextMessageId();
        var response = (SubmitSmResp)submit.CreateResponse();
        // Padded past SMPP's limit, the id no longer decodes (WriteAsync writes it raw: the codec refuses to).
        response.MessageId = Faults.OverlongMessageIds ? _simulator.ResponseMessageId(id).PadLeft(OverlongMessageIdLength, '0') : _simulator.ResponseMessageId(id);
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
        if (_simulator.TryHoldResponse(this, submitResponse))
        {
            return;
        }
        var delay = Faults.ResponseDelay;
        if (delay > TimeSpan.Zero)
        {
            _simulator.ScheduleResponse(this, submitResponse, delay);
        }
        else
        {
            _replies.Add(submitResponse);
        }
    }
}
