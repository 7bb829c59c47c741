using Instasent.Smpp.Messages;
using Instasent.Smpp.Text;

namespace Instasent.Smpp.Tests.Messages;

public class MessageSplitterTests
{
    private const string Emoji = "😀";

    [Theory]
    [InlineData(SmsAlphabet.Gsm7, 160)]
    [InlineData(SmsAlphabet.Latin9, 140)]
    [InlineData(SmsAlphabet.Ucs2, 70)]
    public void A_text_at_the_one_segment_limit_is_one_plain_short_message(SmsAlphabet alphabet, int limit)
    {
        foreach (var mode in Enum.GetValues<SegmentationMode>())
        {
            var message = MessageSplitter.Split(new string('a', limit), alphabet, mode, 7);

            var segment = Assert.Single(message.Segments);
            Assert.False(segment.UdhIndicator);
            Assert.False(segment.InMessagePayload);
            Assert.Null(segment.Sar);
            Assert.Equal(limit * SmsText.OctetsPerUnit(alphabet), segment.Bytes.Length);
            Assert.Equal(alphabet.ToDataCoding(), segment.DataCoding);
        }
    }

    [Theory]
    [InlineData(SmsAlphabet.Gsm7, SegmentationMode.Udh8, 161, new[] { 153, 8 })]
    [InlineData(SmsAlphabet.Gsm7, SegmentationMode.Udh8, 306, new[] { 153, 153 })]
    [InlineData(SmsAlphabet.Gsm7, SegmentationMode.Udh8, 307, new[] { 153, 153, 1 })]
    [InlineData(SmsAlphabet.Gsm7, SegmentationMode.Udh16, 304, new[] { 152, 152 })]
    [InlineData(SmsAlphabet.Gsm7, SegmentationMode.Udh16, 305, new[] { 152, 152, 1 })]
    [InlineData(SmsAlphabet.Gsm7, SegmentationMode.Sar, 161, new[] { 160, 1 })]
    [InlineData(SmsAlphabet.Latin9, SegmentationMode.Udh8, 141, new[] { 134, 7 })]
    [InlineData(SmsAlphabet.Latin9, SegmentationMode.Udh16, 267, new[] { 133, 133, 1 })]
    [InlineData(SmsAlphabet.Latin9, SegmentationMode.Sar, 281, new[] { 140, 140, 1 })]
    [InlineData(SmsAlphabet.Ucs2, SegmentationMode.Udh8, 71, new[] { 67, 4 })]
    [InlineData(SmsAlphabet.Ucs2, SegmentationMode.Udh16, 132, new[] { 66, 66 })]
    [InlineData(SmsAlphabet.Ucs2, SegmentationMode.Sar, 141, new[] { 70, 70, 1 })]
    public void Segments_fill_to_the_exact_capacity_of_alphabet_and_mode(SmsAlphabet alphabet, SegmentationMode mode, int length, int[] unitsPerSegment)
    {
        var message = MessageSplitter.Split(new string('a', length), alphabet, mode, 7);

        var udh = MessageSplitter.UdhLength(mode);
        Assert.Equal(unitsPerSegment.Select(u => udh + u * SmsText.OctetsPerUnit(alphabet)), message.Segments.Select(s => s.Bytes.Length));
        Assert.Equal(unitsPerSegment.Length, MessageSplitter.CountSegments(new string('a', length), alphabet, mode));
    }

    [Fact]
    public void Udh8_segments_carry_iei_00_with_reference_total_and_sequence_and_need_udhi()
    {
        var message = MessageSplitter.Split(new string('a', 161), SmsAlphabet.Gsm7, SegmentationMode.Udh8, 0xAB);

        Assert.Equal("050003AB0201", Convert.ToHexString(message.Segments[0].Bytes.Span[..6]));
        Assert.Equal("050003AB0202", Convert.ToHexString(message.Segments[1].Bytes.Span[..6]));
        Assert.All(message.Segments, s => Assert.Equal(0x40, s.EsmClassFlags));
    }

    [Fact]
    public void Udh16_segments_carry_iei_08_with_a_big_endian_reference()
    {
        var message = MessageSplitter.Split(new string('a', 161), SmsAlphabet.Gsm7, SegmentationMode.Udh16, 0x1234);

        Assert.Equal("06080412340201", Convert.ToHexString(message.Segments[0].Bytes.Span[..7]));
        Assert.Equal("06080412340202", Convert.ToHexString(message.Segments[1].Bytes.Span[..7]));
    }

    [Fact]
    public void Sar_segments_have_no_udh_and_carry_the_three_sar_numbers()
    {
        var message = MessageSplitter.Split(new string('a', 321), SmsAlphabet.Gsm7, SegmentationMode.Sar, 0x1234);

        Assert.Equal(3, message.Segments.Count);
        Assert.All(message.Segments, s => Assert.Equal(0, s.EsmClassFlags));
        Assert.Equal(
            [new SarNumbers(0x1234, 3, 1), new SarNumbers(0x1234, 3, 2), new SarNumbers(0x1234, 3, 3)],
            message.Segments.Select(s => s.Sar!.Value));
    }

    [Fact]
    public void Message_payload_mode_gives_one_segment_with_the_whole_text_for_the_tlv()
    {
        var text = new string('a', 500);

        var message = MessageSplitter.Split(text, SmsAlphabet.Gsm7, SegmentationMode.MessagePayload, 0);

        var segment = Assert.Single(message.Segments);
        Assert.True(segment.InMessagePayload);
        Assert.False(segment.UdhIndicator);
        Assert.Equal(Gsm7.Encode(text), segment.Bytes.ToArray());
        Assert.Equal(4, MessageSplitter.CountSegments(text, SmsAlphabet.Gsm7, SegmentationMode.MessagePayload));
    }

    [Theory]
    [InlineData(SegmentationMode.Udh8, 153)]
    [InlineData(SegmentationMode.Udh16, 152)]
    [InlineData(SegmentationMode.Sar, 160)]
    public void An_escape_pair_that_would_straddle_a_boundary_moves_whole_to_the_next_segment(SegmentationMode mode, int capacity)
    {
        var text = new string('a', capacity - 1) + "€" + new string('b', 10);

        var message = MessageSplitter.Split(text, SmsAlphabet.Gsm7, mode, 1);

        var udh = MessageSplitter.UdhLength(mode);
        Assert.Equal(udh + capacity - 1, message.Segments[0].Bytes.Length);
        Assert.Equal(new byte[] { 0x1B, 0x65 }, message.Segments[1].Bytes.Span.Slice(udh, 2).ToArray());
    }

    [Theory]
    [InlineData(SegmentationMode.Udh8, 67)]
    [InlineData(SegmentationMode.Udh16, 66)]
    [InlineData(SegmentationMode.Sar, 70)]
    public void A_surrogate_pair_that_would_straddle_a_boundary_moves_whole_to_the_next_segment(SegmentationMode mode, int capacity)
    {
        var text = new string('a', capacity - 1) + Emoji + new string('b', 10);

        var message = MessageSplitter.Split(text, SmsAlphabet.Ucs2, mode, 1);

        var udh = MessageSplitter.UdhLength(mode);
        Assert.Equal(udh + 2 * (capacity - 1), message.Segments[0].Bytes.Length);
        Assert.Equal("D83DDE00", Convert.ToHexString(message.Segments[1].Bytes.Span.Slice(udh, 4)));
    }

    [Theory]
    [InlineData(SegmentationMode.Udh8, 153)]
    [InlineData(SegmentationMode.Udh16, 152)]
    [InlineData(SegmentationMode.Sar, 160)]
    public void An_escape_pair_that_ends_exactly_at_the_boundary_stays_in_the_segment(SegmentationMode mode, int capacity)
    {
        var text = new string('a', capacity - 2) + "€" + new string('b', 10);

        var message = MessageSplitter.Split(text, SmsAlphabet.Gsm7, mode, 1);

        Assert.Equal(MessageSplitter.UdhLength(mode) + capacity, message.Segments[0].Bytes.Length);
    }

    [Fact]
    public void Message_payload_with_an_escape_or_surrogate_anywhere_carries_the_text_unsplit()
    {
        var gsm = new string('a', 152) + "€" + new string('b', 200);
        var ucs = new string('a', 66) + Emoji + new string('b', 100);

        Assert.Equal(Gsm7.Encode(gsm), Assert.Single(MessageSplitter.Split(gsm, SmsAlphabet.Gsm7, SegmentationMode.MessagePayload, 0).Segments).Bytes.ToArray());
        Assert.Equal(Ucs2.Encode(ucs), Assert.Single(MessageSplitter.Split(ucs, SmsAlphabet.Ucs2, SegmentationMode.MessagePayload, 0).Segments).Bytes.ToArray());
    }

    [Fact]
    public void Null_alphabet_chooses_gsm7_or_ucs2_by_content()
    {
        Assert.Equal(SmsAlphabet.Gsm7, MessageSplitter.Split("hola", null, SegmentationMode.Udh8, 0).Alphabet);
        Assert.Equal(SmsAlphabet.Ucs2, MessageSplitter.Split("código", null, SegmentationMode.Udh8, 0).Alphabet);
        Assert.Equal(8, MessageSplitter.Split("código", null, SegmentationMode.Udh8, 0).Segments[0].DataCoding);
    }

    [Fact]
    public void More_segments_than_allowed_fails_with_the_count_and_the_limit()
    {
        var text = new string('a', 153 * 10 + 1);

        var error = Assert.Throws<MessageTooLongException>(() => MessageSplitter.Split(text, SmsAlphabet.Gsm7, SegmentationMode.Udh8, 1, maxSegments: 10));

        Assert.Contains("1531 septets needs 11 segments of up to 153 septets (Gsm7, Udh8); MaxSegments is 10", error.Message);
    }

    [Fact]
    public void Ten_full_segments_are_within_a_limit_of_ten()
    {
        var message = MessageSplitter.Split(new string('a', 153 * 10), SmsAlphabet.Gsm7, SegmentationMode.Udh8, 1, maxSegments: 10);

        Assert.Equal(10, message.Segments.Count);
    }

    [Fact]
    public void An_8_bit_reference_above_255_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => MessageSplitter.Split("hi", SmsAlphabet.Gsm7, SegmentationMode.Udh8, 256));
    }

    [Fact]
    public void Counting_refuses_text_outside_the_alphabet()
    {
        Assert.Throws<UnencodableCharacterException>(() => MessageSplitter.CountSegments("你", SmsAlphabet.Gsm7, SegmentationMode.Udh8));
    }
}
