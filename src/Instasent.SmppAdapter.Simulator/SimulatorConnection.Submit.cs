using Instasent.Smpp.Pdus;

namespace Instasent.SmppAdapter.Simulator;

// submit_sm: bind state, faults, throttling and Instasent's field rules, then a message_id and its receipt.
internal sealed partial class SimulatorConnection
{
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
}
