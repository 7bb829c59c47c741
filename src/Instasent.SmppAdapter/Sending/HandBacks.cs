using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Handing a command back to its connection's queue (the high one for a <c>priority: high</c> command) when this attempt cannot decide it: the broker holds it in between,
/// so nothing is lost and no delayed-message plugin is needed.
/// </summary>
public static class HandBacks
{
    /// <summary>The header that counts a command's hand-backs (<see cref="SendSmsContext.HandBackCountHeader"/>).</summary>
    public const string CountHeader = SendSmsContext.HandBackCountHeader;

    /// <summary>
    /// Sends the command back to its connection's queue (its lane's: a high command stays ahead of the normal backlog),
    /// with the count incremented when <paramref name="counts"/>; the caller then acknowledges the original.
    /// </summary>
    public static async Task SendAsync(IBrokerPublisher publisher, SendSmsContext context, SmppConnectionOptions connection, bool counts, PublishDeadlines deadlines)
    {
        var count = context.HandBackCount + (counts ? 1 : 0);
        // Not the consume token (a stopping consumer must still be able to hand its command back), but a deadline.
        using var deadline = deadlines.Start(PublishDeadlines.HandBack, CancellationToken.None);
        await publisher.HandBackAsync(context, connection.QueueNameFor(context.Message.Priority), count, deadline.Token).ConfigureAwait(false);
    }
}
