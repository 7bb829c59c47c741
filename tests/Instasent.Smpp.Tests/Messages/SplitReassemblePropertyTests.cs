using CsCheck;
using Instasent.Smpp.Messages;
using Instasent.Smpp.Tests.Text;
using Instasent.Smpp.Text;

namespace Instasent.Smpp.Tests.Messages;

public class SplitReassemblePropertyTests
{
    public static TheoryData<SmsAlphabet, SegmentationMode> Cases()
    {
        var data = new TheoryData<SmsAlphabet, SegmentationMode>();
        foreach (var alphabet in new[] { SmsAlphabet.Gsm7, SmsAlphabet.Latin9, SmsAlphabet.Ucs2 })
        {
            foreach (var mode in new[] { SegmentationMode.Udh8, SegmentationMode.Udh16, SegmentationMode.Sar })
            {
                data.Add(alphabet, mode);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Segments_respect_capacity_and_never_split_a_pair(SmsAlphabet alphabet, SegmentationMode mode)
    {
        TextPropertyTests.TextIn(alphabet, 1200).Sample(text =>
        {
            var message = MessageSplitter.Split(text, alphabet, mode, 9);
            var udh = message.Segments.Count > 1 ? MessageSplitter.UdhLength(mode) : 0;
            var capacity = message.Segments.Count > 1 ? MessageSplitter.GetSegmentCapacity(alphabet, mode) : MessageSplitter.GetCapacity(alphabet, 0);
            foreach (var segment in message.Segments)
            {
                var body = segment.Bytes.Span[udh..];
                Assert.True(body.Length / SmsText.OctetsPerUnit(alphabet) <= capacity);
                var decoded = SmsText.Decode(segment.DataCoding, body);
                Assert.False(alphabet == SmsAlphabet.Gsm7 && body.Length > 0 && body[^1] == Gsm7.Escape && (body.Length < 2 || body[^2] != Gsm7.Escape));
                Assert.False(decoded.Length > 0 && char.IsHighSurrogate(decoded[^1]));
            }
            Assert.Equal(MessageSplitter.CountSegments(text, alphabet, mode), message.Segments.Count);
        }, iter: 200);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Split_then_reassembled_in_any_order_with_duplicates_gives_the_original(SmsAlphabet alphabet, SegmentationMode mode)
    {
        var gen =
            from text in TextPropertyTests.TextIn(alphabet, 1200)
            from order in Gen.Int[0, 1000].Array[0, 40]
            select (text, order);

        gen.Sample((text, order) =>
        {
            var message = MessageSplitter.Split(text, alphabet, mode, 200);
            var segments = message.Segments;
            // A random permutation with random duplicates: every segment at least once.
            var sequence = Enumerable.Range(0, segments.Count).Concat(order.Select(o => o % segments.Count))
                .Select((index, i) => (index, key: i < segments.Count ? order.ElementAtOrDefault(i) : i))
                .OrderBy(p => p.key).Select(p => p.index).ToList();
            var reassembler = new SegmentReassembler(new ReassemblyOptions { MaxSegments = 255 });

            var completed = new List<string>();
            foreach (var index in sequence)
            {
                var segment = segments[index];
                var esmClass = segment.EsmClassFlags;
                var result = reassembler.Add("34600000001", "INSTASENT", esmClass, segment.DataCoding, segment.Bytes.Span, segment.Sar);
                if (result.Status == ReassemblyStatus.Complete)
                {
                    completed.Add(result.Text!);
                }
            }

            Assert.Equal(text, completed[0]);
        }, iter: 100);
    }
}
