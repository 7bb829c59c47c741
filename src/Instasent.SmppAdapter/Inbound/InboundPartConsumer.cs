using Instasent.Smpp.Messages;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Telemetry;
using MassTransit;

namespace Instasent.SmppAdapter.Inbound;

/// <summary>
/// Reassembles long inbound messages from the parts parked on <c>smpp-inbound-parts</c> and publishes
/// <see cref="InboundSmsReceived"/> once the last part arrives. Crash window (README): parts already consumed are held
/// in memory until the message is complete, so a crash in between loses that partial message (the SMSC already has
/// its deliver_sm_resp for those parts).
/// </summary>
public sealed class InboundPartConsumer(InboundReassembly reassembly, TimeProvider time) : IConsumer<InboundSmsPart>
{
    public async Task Consume(ConsumeContext<InboundSmsPart> context)
    {
        var part = context.Message;
        var result = reassembly.Add(part);
        if (result.Status is not (ReassemblyStatus.Complete or ReassemblyStatus.Rejected))
        {
            return;
        }
        await context.Publish(new InboundSmsReceived
        {
            Id = InboundSmsId.For(part.Connection, part.SmscMessageId, part.SourceAddr, part.DestinationAddr, result.Concatenation?.Reference, result.Text ?? ""),
            From = part.SourceAddr,
            To = part.DestinationAddr,
            Text = result.Text ?? "",
            ReceivedAt = time.GetUtcNow(),
            Segments = result.Status == ReassemblyStatus.Complete ? result.Concatenation?.Total ?? 1 : 1,
            Connection = part.Connection,
            SmscMessageId = part.SmscMessageId,
        }, CancellationToken.None).ConfigureAwait(false);
        AdapterTelemetry.Inbound.Add(1, AdapterTelemetry.Connection(part.Connection));
    }
}
