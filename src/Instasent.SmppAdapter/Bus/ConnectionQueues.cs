using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Contracts;
using MassTransit;

namespace Instasent.SmppAdapter.Bus;

/// <summary>Internal queues and headers of the adapter (not part of the public contract).</summary>
public static class ConnectionQueues
{
    /// <summary>
    /// How many times a command was handed back to its queue for want of a final outcome (retry budget spent, outcome
    /// unknown too often); hand-backs on shutdown do not count. Bounded by <c>Adapter:MaxHandBacks</c>.
    /// </summary>
    public const string HandBackCountHeader = "smpp-handback-count";

    /// <summary>Parts of long inbound messages, safe on the broker before the SMSC gets its deliver_sm_resp.</summary>
    public const string InboundPartsQueue = "smpp-inbound-parts";

    public static Uri Address(SmppConnectionOptions connection) => new($"queue:{connection.QueueName}");

    /// <summary>The command's <see cref="HandBackCountHeader"/> (0 when it was never handed back).</summary>
    public static int HandBackCount(ConsumeContext context) => context.Headers.Get<int>(HandBackCountHeader) ?? 0;

    /// <summary>
    /// Re-sends the command to its connection queue, with the hand-back count incremented when <paramref name="counts"/>;
    /// the caller then acknowledges the original. The broker holds the command in between, so nothing is lost and no
    /// delayed-message plugin is needed.
    /// </summary>
    public static async Task HandBackAsync(ConsumeContext<SendSms> context, SmppConnectionOptions connection, bool counts)
    {
        var count = HandBackCount(context) + (counts ? 1 : 0);
        var endpoint = await context.GetSendEndpoint(Address(connection)).ConfigureAwait(false);
        // Not the consume token: a stopping consumer must still be able to hand its command back.
        await endpoint.Send(context.Message, send => send.Headers.Set(HandBackCountHeader, count), CancellationToken.None).ConfigureAwait(false);
    }
}
