namespace Instasent.SmppAdapter.Simulator;

// deliver_sm (receipts and MO) this session carries: sequence numbers, the ones awaiting deliver_sm_resp, and their answers.
internal sealed partial class SimulatorSession
{
    private void HandleDeliverResponse(uint sequence, CommandStatus status)
    {
        PendingDelivery? delivery;
        lock (_outstandingLock)
        {
            if (!_outstanding.Remove(sequence, out delivery))
            {
                delivery = null;
            }
        }
        StatsCounters.Count(Counters.DeliverSmResponses, status);
        if (delivery is null)
        {
            return; // late (already timed out), or the malformed PDU's answer
        }

        if (Account!.ReleaseSlots(this, 1) is { } waiting)
        {
            QueueDeliveries(waiting);
        }

        if (status == CommandStatus.ESME_ROK)
        {
            _simulator.Acknowledge(delivery);
        }
        else
        {
            _simulator.Retry(delivery, $"answered {status.Describe()}");
        }
    }

    /// <summary>Adds deliveries taken from the account's waiting queue to the answers the read loop is about to flush.</summary>
    private void QueueDeliveries(List<PendingDelivery> deliveries)
    {
        foreach (var delivery in deliveries)
        {
            if (TryPrepare(delivery))
            {
                _replies.Add(delivery.Pdu);
            }
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
            if (_closed)
            {
                return false;
            }
            // SMPP 3.4 §5.1.4: sequence_number 0x00000001 to 0x7FFFFFFF.
            var sequence = (uint)(Interlocked.Increment(ref _sequence) & 0x7FFFFFFF);
            if (sequence == 0)
            {
                sequence = (uint)Interlocked.Increment(ref _sequence);
            }

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
            if (_outstanding.Count == 0)
            {
                return null;
            }

            foreach (var (sequence, delivery) in _outstanding)
            {
                if (delivery.SentAt > cutoff)
                {
                    continue;
                }

                (expired ??= []).Add(delivery);
            }
            if (expired is null)
            {
                return null;
            }

            foreach (var delivery in expired)
            {
                _outstanding.Remove(delivery.Pdu.SequenceNumber);
            }
        }
        return expired;
    }
}
