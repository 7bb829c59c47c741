using System.Diagnostics;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Stores;
using Instasent.SmppAdapter.Telemetry;

namespace Instasent.SmppAdapter.Inbound;

/// <summary>
/// Answers the SMSC's deliver_sm. ESME_ROK only once what it carried is safe on the broker (publish or send confirmed);
/// otherwise ESME_RX_T_APPN, so the SMSC sends it again (DESIGN.md, delivery guarantees):
/// <list type="bullet">
/// <item>receipts (esm_class type 0x04 / 0x20) become <see cref="SmsDeliveryReported"/>, matched through the correlation
/// store by (connection, normalised id), waiting briefly for a submit_sm_resp not yet processed;</item>
/// <item>a one-part message becomes <see cref="InboundSmsReceived"/>;</item>
/// <item>each part of a long message is parked on <c>smpp-inbound-parts</c> and answered; <see cref="InboundPartConsumer"/> reassembles.</item>
/// </list>
/// </summary>
public sealed class DeliverSmHandler(
    IBus bus,
    IBrokerPublisher events,
    ICorrelationStore correlations,
    StoreAvailability stores,
    AdapterOptions options,
    PublishDeadlines deadlines,
    TimeProvider time,
    ILogger<DeliverSmHandler> logger) : ISmppInboundHandler
{
    private readonly DeliveryReceiptParser _parser = new();

    public async ValueTask<Pdu?> HandleAsync(SmppSession session, Pdu request, CancellationToken ct)
    {
        if (request is not DeliverSm deliverSm)
        {
            // data_sm and others are not part of Instasent's interface (instasent-smpp-integration.md).
            return request.CreateResponse(CommandStatus.ESME_RINVCMDID);
        }
        var connection = options.FindConnection(session.Options.ConnectionName) ?? options.Connections[0];
        if (!stores.IsAvailable)
        {
            // A receipt cannot be matched, nor a part stored: the SMSC keeps it and sends it again once Redis is back.
            logger.LogWarning("deliver_sm on {Connection} answered ESME_RX_T_APPN: the stores are unavailable ({Reason})", connection.Name, stores.Reason);
            return deliverSm.CreateResponse(CommandStatus.ESME_RX_T_APPN);
        }
        using var deadline = deadlines.Start(PublishDeadlines.DeliverSm, ct);
        ct = deadline.Token;
        try
        {
            if (deliverSm.IsDeliveryReceipt)
            {
                await HandleReceiptAsync(connection, deliverSm, ct).ConfigureAwait(false);
            }
            else
            {
                await HandleInboundAsync(connection, deliverSm, ct).ConfigureAwait(false);
            }
            return deliverSm.CreateResponse(CommandStatus.ESME_ROK);
        }
        catch (Exception e)
        {
            if (StoreAvailability.IsOutage(e))
            {
                stores.ReportOutage(e);
            }
            // Not safe on the broker: the SMSC keeps it and delivers it again (SMPP 3.4 §5.1.3, ESME_RX_T_APPN).
            logger.LogWarning("deliver_sm on {Connection} not acknowledged ({Error}); answering ESME_RX_T_APPN", connection.Name, e.Message);
            return deliverSm.CreateResponse(CommandStatus.ESME_RX_T_APPN);
        }
    }

    private async Task HandleReceiptAsync(SmppConnectionOptions connection, DeliverSm deliverSm, CancellationToken ct)
    {
        var body = Body(deliverSm);
        if (!_parser.TryParse(deliverSm.EsmClass, body.Span, deliverSm.Tlvs.ReceiptedMessageId, deliverSm.Tlvs.MessageState,
                deliverSm.Tlvs.NetworkErrorCode is { } nec ? nec.Span : default, out var receipt))
        {
            // Unreadable: asking for it again would bring the same bytes back forever.
            logger.LogWarning("Receipt on {Connection} without a readable message id; acknowledged and dropped", connection.Name);
            return;
        }
        var key = new MessageIdNormalizer(connection.MessageIdFormat).FromReceipt(receipt.MessageId);
        var match = await correlations.FindAsync(connection.Name, key, options.Sending.ReceiptMatchWait, ct).ConfigureAwait(false);
        var now = time.GetUtcNow();
        ActivityLink[]? links = match is { SubmitContext: { } context } && context != default ? [new ActivityLink(context)] : null;
        // Work inside the library's deliver_sm server span, not a broker consume: internal.
        using var span = AdapterTelemetry.Source.StartActivity("smpp delivery_report", ActivityKind.Internal, Activity.Current?.Context ?? default, links: links);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("smpp.connection", connection.Name);
            span.SetTag("smpp.message_id", receipt.MessageId);
            span.SetTag("smpp.receipt_status", receipt.StateName);
            span.SetTag("matched", match is not null);
        }

        await events.PublishAsync(new SmsDeliveryReported
        {
            MessageId = match?.MessageId,
            SmscMessageId = receipt.MessageId,
            Segment = match?.Segment,
            Segments = match?.Segments,
            Status = receipt.StateName,
            ErrorCode = receipt.Error ?? receipt.ErrorCode?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            SubmittedAt = receipt.SubmitDate,
            DoneAt = receipt.DoneDate,
            ReceivedAt = now,
            Intermediate = receipt.IsIntermediate,
            Connection = connection.Name,
            Metadata = match?.Metadata,
        }, null, ct).ConfigureAwait(false);

        var tag = AdapterTelemetry.Connection(connection.Name);
        AdapterTelemetry.Receipts.Add(1, tag, new("smpp.receipt_status", receipt.StateName), new("matched", match is not null));
        if (match is not null)
        {
            AdapterTelemetry.ReceiptLag.Record((now - match.SubmittedAt).TotalSeconds, tag);
        }
    }

    private async Task HandleInboundAsync(SmppConnectionOptions connection, DeliverSm deliverSm, CancellationToken ct)
    {
        var smscMessageId = deliverSm.Tlvs.ReceiptedMessageId;
        var now = time.GetUtcNow();
        UserDataHeader.GetTextOffset(deliverSm.EsmClass, deliverSm.ShortMessage.Span, out var concat);
        var sarTotal = deliverSm.Tlvs.SarTotalSegments;
        if (concat is { Total: > 1 } || sarTotal > 1)
        {
            var endpoint = await bus.GetSendEndpoint(RabbitMqOptions.SendAddress(InboundSmsPart.QueueName)).ConfigureAwait(false);
            await endpoint.Send(new InboundSmsPart
            {
                Connection = connection.Name,
                SourceAddr = Address(deliverSm.SourceAddrTon, deliverSm.SourceAddr),
                DestinationAddr = Address(deliverSm.DestAddrTon, deliverSm.DestinationAddr),
                EsmClass = deliverSm.EsmClass,
                DataCoding = deliverSm.DataCoding,
                ShortMessage = deliverSm.ShortMessage.ToArray(),
                SarMsgRefNum = deliverSm.Tlvs.SarMsgRefNum,
                SarTotalSegments = sarTotal,
                SarSegmentSeqnum = deliverSm.Tlvs.SarSegmentSeqnum,
                SmscMessageId = smscMessageId,
                ReceivedAt = now,
            }, send => QueueTopology.Mandatory(send), ct).ConfigureAwait(false);
            return;
        }
        var body = Body(deliverSm);
        var text = body.Span[UserDataHeader.GetTextOffset(deliverSm.EsmClass, body.Span, out _)..];
        var from = Address(deliverSm.SourceAddrTon, deliverSm.SourceAddr);
        var to = Address(deliverSm.DestAddrTon, deliverSm.DestinationAddr);
        var decoded = Smpp.Text.SmsText.Decode(deliverSm.DataCoding, text);
        await events.PublishAsync(new InboundSmsReceived
        {
            Id = InboundSmsId.For(connection.Name, smscMessageId, from, to, null, decoded),
            From = from,
            To = to,
            Text = decoded,
            ReceivedAt = now,
            Segments = 1,
            Connection = connection.Name,
            SmscMessageId = smscMessageId,
        }, null, ct).ConfigureAwait(false);
        AdapterTelemetry.Inbound.Add(1, AdapterTelemetry.Connection(connection.Name));
    }

    /// <summary>
    /// message_payload when present, else short_message (SMPP 3.4 §5.3.2.32). Read through TryGet: the typed
    /// TlvCollection.MessagePayload getter returns an empty value, not null, when the TLV is absent.
    /// </summary>
    private static ReadOnlyMemory<byte> Body(DeliverSm deliverSm) =>
        deliverSm.Tlvs.TryGet(TlvTag.MessagePayload, out var payload) ? payload : deliverSm.ShortMessage;

    /// <summary>An international number (TON 1) is published in E.164 form, with its '+', like SendSms.to.</summary>
    internal static string Address(Ton ton, string address) =>
        ton == Ton.International && address.Length > 0 && address[0] != '+' ? "+" + address : address;
}
