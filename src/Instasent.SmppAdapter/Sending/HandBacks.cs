using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Handing a command back to its connection's queue (the high one for a <c>priority: high</c> command) when this attempt cannot decide it: the broker holds it in between,
/// so nothing is lost and no delayed-message plugin is needed.
/// </summary>
public static class HandBacks
{
    /// <summary>
    /// How many times a command was handed back for want of a final outcome (retry budget spent, outcome unknown too
    /// often); hand-backs on shutdown do not count. Bounded by <c>Adapter:MaxHandBacks</c>. Internal, not part of the
    /// public contract.
    /// </summary>
    public const string CountHeader = "smpp-handback-count";

    /// <summary>The command's <see cref="CountHeader"/> (0 when it was never handed back).</summary>
    public static int Count(ConsumeContext context) => context.Headers.Get<int>(CountHeader) ?? 0;

    /// <summary>
    /// Re-sends the command to its connection queue, with the count incremented when <paramref name="counts"/>; the
    /// caller then acknowledges the original.
    /// </summary>
    public static async Task SendAsync(ConsumeContext<SendSms> context, SmppConnectionOptions connection, bool counts, PublishDeadlines deadlines)
    {
        var count = Count(context) + (counts ? 1 : 0);
        // Back to the queue of its lane: a high command stays ahead of the normal backlog.
        var endpoint = await context.GetSendEndpoint(connection.QueueAddressFor(context.Message.Priority)).ConfigureAwait(false);
        // Not the consume token (a stopping consumer must still be able to hand its command back), but a deadline.
        using var deadline = deadlines.Start(PublishDeadlines.HandBack, CancellationToken.None);
        await endpoint.Send(context.Message, send =>
        {
            send.Headers.Set(CountHeader, count);
            QueueTopology.Mandatory(send);
        }, deadline.Token).ConfigureAwait(false);
    }
}
