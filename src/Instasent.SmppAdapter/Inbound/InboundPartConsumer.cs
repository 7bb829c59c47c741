using System.Security.Cryptography;
using Instasent.Smpp.Text;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Stores;
using Instasent.SmppAdapter.Telemetry;

namespace Instasent.SmppAdapter.Inbound;

/// <summary>
/// Takes the parts parked on <c>smpp-inbound-parts</c> into the <see cref="IInboundPartStore"/> and publishes
/// <see cref="InboundSmsReceived"/> when the last one is stored. A part is acknowledged to the broker only once it is in
/// the store, so no part is ever held only in this process; with the Redis store a restart or a crash loses nothing.
/// The add that completes a message makes this broker message its publisher: if the process dies before the publish, the
/// broker redelivers this same message (same MessageId), and its add sees the message complete again. Any other part
/// (another replica's, or one the SMSC resent) is dropped as a duplicate.
/// </summary>
public sealed class InboundPartConsumer(
    IInboundPartStore store, StoreAvailability stores, SendingOptions options, PublishDeadlines deadlines, IBrokerPublisher events, TimeProvider time, ILogger<InboundPartConsumer> logger) : IConsumer<InboundSmsPart>
{
    /// <summary>The most parts a message may announce to be held; a part of a longer one is published alone.</summary>
    internal const int MaxSegments = 16;

    public async Task Consume(ConsumeContext<InboundSmsPart> context)
    {
        try
        {
            await TakeAsync(context).ConfigureAwait(false);
        }
        catch (Exception e) when (StoreAvailability.IsOutage(e))
        {
            // Redis is down: an outage, not this part's failure. Wait for it (the queue waits with us), then hand the part
            // back to its queue as it came, MessageId and all, so it still owns a completion it may have made.
            stores.ReportOutage(e);
            logger.LogWarning("Inbound part on {Connection} waits: the store is unavailable ({Error})", context.Message.Connection, e.Message);
            await stores.WaitUntilAvailableAsync(options.RetryBudget, context.CancellationToken).ConfigureAwait(false);
            // Through the queue's exchange as DeliverSmHandler sends parts (a queue: address would declare the queue again
            // without its arguments, which a quorum queue refuses), mandatory so a missing queue fails the send.
            var endpoint = await context.GetSendEndpoint(RabbitMqOptions.SendAddress(InboundSmsPart.QueueName)).ConfigureAwait(false);
            using var deadline = deadlines.Start(PublishDeadlines.InboundSms, CancellationToken.None);
            await endpoint.Send(context.Message, send =>
            {
                send.MessageId = context.MessageId;
                QueueTopology.Mandatory(send);
            }, deadline.Token).ConfigureAwait(false);
        }
    }

    private async Task TakeAsync(ConsumeContext<InboundSmsPart> context)
    {
        var part = context.Message;
        var body = part.ShortMessage.AsMemory(UserDataHeader.GetTextOffset(part.EsmClass, part.ShortMessage, out var concat));
        // SMPP 3.4 §5.3.2.22-24: the SAR TLVs stand in for a concatenation UDH.
        if (concat is null && part is { SarMsgRefNum: { } reference, SarTotalSegments: { } total, SarSegmentSeqnum: { } sequence }
            && new ConcatenationInfo(reference, total, sequence) is { IsValid: true } sar)
        {
            concat = sar;
        }
        if (concat is not { Total: > 1 and <= MaxSegments } c)
        {
            await PublishAsync(context, SmsText.Decode(part.DataCoding, body.Span), concat?.Reference, 1).ConfigureAwait(false);
            return;
        }

        var key = MessageKey(part, c);
        // The data_coding travels with each part: the message is decoded with its first part's.
        var value = new byte[body.Length + 1];
        value[0] = part.DataCoding;
        body.CopyTo(value.AsMemory(1));
        var owner = context.MessageId?.ToString("N") ?? throw new InvalidOperationException("an inbound part without a MessageId cannot own its message's publish");
        var added = await store.AddAsync(new InboundPartEntry(part.Connection, key, c.Sequence, c.Total, Fingerprint(c.Sequence, value), value, owner),
            context.CancellationToken).ConfigureAwait(false);
        switch (added.Status)
        {
            case InboundPartStatus.Pending:
                return;
            case InboundPartStatus.Duplicate:
                AdapterTelemetry.InboundDuplicateParts.Add(1, AdapterTelemetry.Connection(part.Connection));
                logger.LogInformation("Part {Sequence}/{Total} of inbound message {MessageKey} on {Connection} is already stored or published; dropped",
                    c.Sequence, c.Total, key, part.Connection);
                return;
            case InboundPartStatus.Busy:
                // Retried by the endpoint's policy: the earlier message under this reference is being published now.
                throw new InvalidOperationException($"inbound message {key} on {part.Connection} is complete and being published; part {c.Sequence} of a reused reference waits");
        }

        var parts = added.Parts!;
        var joined = new byte[parts.Sum(p => p.Length - 1)];
        var offset = 0;
        foreach (var stored in parts)
        {
            stored.AsSpan(1).CopyTo(joined.AsSpan(offset));
            offset += stored.Length - 1;
        }
        await PublishAsync(context, SmsText.Decode(parts[0][0], joined), c.Reference, c.Total).ConfigureAwait(false);
        // Only now: a crash before this line leaves the message complete under this owner, and its redelivery publishes it.
        await store.PublishedAsync(key, context.CancellationToken).ConfigureAwait(false);
    }

    private async Task PublishAsync(ConsumeContext<InboundSmsPart> context, string text, int? reference, int segments)
    {
        var part = context.Message;
        using var deadline = deadlines.Start(PublishDeadlines.InboundSms, CancellationToken.None);
        await events.PublishAsync(new InboundSmsReceived
        {
            // A long message has no single SMSC id (each part has its own), so its id comes from its content and reference.
            Id = InboundSmsId.For(part.Connection, segments > 1 ? null : part.SmscMessageId, part.SourceAddr, part.DestinationAddr, reference, text),
            From = part.SourceAddr,
            To = part.DestinationAddr,
            Text = text,
            ReceivedAt = time.GetUtcNow(),
            Segments = segments,
            Connection = part.Connection,
            SmscMessageId = part.SmscMessageId,
        }, ConsumedMessage.Of(context), deadline.Token).ConfigureAwait(false);
        AdapterTelemetry.Inbound.Add(1, AdapterTelemetry.Connection(part.Connection));
    }

    /// <summary>
    /// Names a message: connection, both numbers, the concatenation reference and the total (SegmentReassembler's key),
    /// hashed so no number is stored in clear in a key.
    /// </summary>
    internal static string MessageKey(InboundSmsPart part, ConcatenationInfo concat) =>
        Hash(string.Join('\u001f', part.Connection, part.SourceAddr, part.DestinationAddr,
            concat.Reference.ToString(System.Globalization.CultureInfo.InvariantCulture), concat.Total.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    private static string Fingerprint(int sequence, byte[] value)
    {
        var material = new byte[value.Length + 1];
        material[0] = (byte)sequence;
        value.CopyTo(material, 1);
        return Convert.ToHexStringLower(SHA256.HashData(material))[..32];
    }

    private static string Hash(string material) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(material)))[..32];
}
