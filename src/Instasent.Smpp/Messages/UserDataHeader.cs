using System.Buffers.Binary;

namespace Instasent.Smpp.Messages;

/// <summary>Concatenation data of one inbound segment, from a UDH IE (0x00 / 0x08) or the SAR TLVs.</summary>
public readonly record struct ConcatenationInfo(ushort Reference, byte Total, byte Sequence)
{
    /// <summary>Total at least 1 and sequence within 1..total (TS 23.040 §9.2.3.24.1: other values are to be ignored).</summary>
    public bool IsValid => Total >= 1 && Sequence >= 1 && Sequence <= Total;
}

/// <summary>Reads the User Data Header at the start of a short_message (3GPP TS 23.040 §9.2.3.24).</summary>
public static class UserDataHeader
{
    /// <summary>
    /// Where the text of <paramref name="shortMessage"/> starts. When esm_class has UDHI (0x40, SMPP 3.4 §5.2.12) and the
    /// UDH is well formed, the offset skips it and <paramref name="concatenation"/> carries a valid 8- or 16-bit
    /// concatenation IE if there is one (other IEs are skipped). Without UDHI, or with a malformed UDH (length beyond the
    /// message, an IE overrunning the header), the offset is 0: the whole message is treated as plain text. Never throws.
    /// </summary>
    public static int GetTextOffset(byte esmClass, ReadOnlySpan<byte> shortMessage, out ConcatenationInfo? concatenation)
    {
        concatenation = null;
        if ((esmClass & MessageSegment.UdhIndicatorFlag) == 0 || shortMessage.IsEmpty)
        {
            return 0;
        }
        var headerLength = 1 + shortMessage[0];
        if (headerLength > shortMessage.Length)
        {
            return 0;
        }
        ConcatenationInfo? found = null;
        var elements = shortMessage[1..headerLength];
        while (!elements.IsEmpty)
        {
            if (elements.Length < 2 || 2 + elements[1] > elements.Length)
            {
                return 0;
            }
            var id = elements[0];
            var data = elements.Slice(2, elements[1]);
            ConcatenationInfo? candidate = (id, data.Length) switch
            {
                (0x00, 3) => new ConcatenationInfo(data[0], data[1], data[2]),
                (0x08, 4) => new ConcatenationInfo(BinaryPrimitives.ReadUInt16BigEndian(data), data[2], data[3]),
                _ => null,
            };
            if (found is null && candidate is { IsValid: true })
            {
                found = candidate;
            }
            elements = elements[(2 + data.Length)..];
        }
        concatenation = found;
        return headerLength;
    }
}
