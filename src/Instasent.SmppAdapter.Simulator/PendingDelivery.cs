namespace Instasent.SmppAdapter.Simulator;

internal enum DeliveryKind
{
    Receipt,
    Mo,
}

/// <summary>
/// A deliver_sm (receipt or MO segment) the simulator owes an account until a session answers it with ESME_ROK.
/// The same PDU is resent on failure, with a new sequence_number each time.
/// </summary>
internal sealed class PendingDelivery(AccountState account, DeliveryKind kind, DeliverSm pdu, MoTracker? mo = null)
{
    public AccountState Account { get; } = account;

    public DeliveryKind Kind { get; } = kind;

    public DeliverSm Pdu { get; } = pdu;

    /// <summary>Completes the injecting call's <see cref="InjectedMo.Delivered"/> once every segment is acknowledged.</summary>
    public MoTracker? Mo { get; } = mo;

    /// <summary>Times this deliver_sm was written to a session.</summary>
    public int Attempts { get; set; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> of the latest send, for the response timeout.</summary>
    public long SentAt { get; set; }
}

/// <summary>Counts down the acknowledged segments of one injected MO message.</summary>
internal sealed class MoTracker(int segments)
{
    private int _remaining = segments;

    public TaskCompletionSource Delivered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Acknowledged()
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            Delivered.TrySetResult();
        }
    }

    public void Abandoned(string reason) => Delivered.TrySetException(new InvalidOperationException(reason));
}
