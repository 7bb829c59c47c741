using System.Collections.Concurrent;
using Instasent.Smpp.Messages;

namespace Instasent.SmppAdapter.Inbound;

/// <summary>One <see cref="SegmentReassembler"/> per connection (bounded and expiring), shared by the part consumers.</summary>
public sealed class InboundReassembly(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, SegmentReassembler> _reassemblers = new(StringComparer.OrdinalIgnoreCase);

    public ReassemblyResult Add(InboundSmsPart part)
    {
        var reassembler = _reassemblers.GetOrAdd(part.Connection, _ => new SegmentReassembler(new ReassemblyOptions(), time));
        SarNumbers? sar = part is { SarMsgRefNum: { } r, SarTotalSegments: { } t, SarSegmentSeqnum: { } s } ? new SarNumbers(r, t, s) : null;
        return reassembler.Add(part.SourceAddr, part.DestinationAddr, part.EsmClass, part.DataCoding, part.ShortMessage, sar);
    }
}
