namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Turns a <see cref="SubmitPlan"/> into its submit_sm PDUs, in segment order. Segmentation follows the connection
/// (Udh8 | Udh16 | MessagePayload | Sar); the concatenation reference comes from the caller's allocator and is reused
/// unchanged when unanswered segments are resent, so the handset still joins them.
/// </summary>
public static class SubmitSmFactory
{
    public static IReadOnlyList<SubmitSm> Create(SubmitPlan plan, ushort reference)
    {
        var split = MessageSplitter.Split(plan.Command.Text, plan.Alphabet, plan.Connection.Segmentation, reference, plan.Connection.MaxSegments);
        var pdus = new SubmitSm[split.Segments.Count];
        for (var i = 0; i < pdus.Length; i++)
        {
            var segment = split.Segments[i];
            var pdu = new SubmitSm
            {
                SourceAddrTon = plan.Source.Ton,
                SourceAddrNpi = plan.Source.Npi,
                SourceAddr = plan.Source.Addr,
                DestAddrTon = plan.Destination.Ton,
                DestAddrNpi = plan.Destination.Npi,
                DestinationAddr = plan.Destination.Addr,
                ScheduleDeliveryTime = plan.ScheduleDeliveryTime,
                ValidityPeriod = plan.ValidityPeriod,
                RegisteredDelivery = plan.Command.RequestDeliveryReport ? RegisteredDelivery.SmscReceiptOnSuccessOrFailure : RegisteredDelivery.None,
                PriorityFlag = plan.Command.Priority == SmsPriorities.High ? plan.Connection.HighPriorityFlag : (byte)0,
            };
            // SMPP 3.4 §5.2.12: bit 6 (UDHI) of esm_class when short_message starts with a UDH; default mode and type otherwise.
            segment.WriteTo(pdu);
            pdus[i] = pdu;
        }
        return pdus;
    }

    /// <summary>Whether the plan needs a concatenation reference (several segments split on our side).</summary>
    public static bool NeedsReference(SubmitPlan plan) =>
        plan.Segments > 1 && plan.Connection.Segmentation != SegmentationMode.MessagePayload;
}
