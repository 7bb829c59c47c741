using Instasent.Smpp.Messages;

namespace Instasent.SmppAdapter.Simulator;

/// <summary>
/// One segment of one SMS as the handset would join it: destination, concatenation reference and 1-based sequence
/// number (a plain message is reference null, segment 1). Resending a segment with the same reference reaches the same key.
/// </summary>
public readonly record struct SegmentKey(string DestinationAddr, int? Reference, int Segment)
{
    /// <summary>The key of <paramref name="submit"/>: concatenation from its UDH (esm_class UDHI), else its SAR TLVs.</summary>
    public static SegmentKey Of(SubmitSm submit)
    {
        var concatenation = Concatenation(submit);
        return new SegmentKey(submit.DestinationAddr, concatenation?.Reference, concatenation?.Sequence ?? 1);
    }

    internal static ConcatenationInfo? Concatenation(SubmitSm submit)
    {
        UserDataHeader.GetTextOffset(submit.EsmClass, submit.ShortMessage.Span, out var fromUdh);
        if (fromUdh is not null)
        {
            return fromUdh;
        }

        var tlvs = submit.Tlvs;
        return tlvs.SarMsgRefNum is { } reference && tlvs.SarTotalSegments is { } total && tlvs.SarSegmentSeqnum is { } sequence
            ? new ConcatenationInfo(reference, total, sequence)
            : null;
    }
}

/// <summary>How often the simulator accepted one segment (<c>GET /accepted-segments</c>).</summary>
public sealed record SegmentCount(string DestinationAddr, int? Reference, int Segment, int Accepted);
