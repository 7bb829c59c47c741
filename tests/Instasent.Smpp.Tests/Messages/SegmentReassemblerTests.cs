using Instasent.Smpp.Messages;
using Microsoft.Extensions.Time.Testing;

namespace Instasent.Smpp.Tests.Messages;

public class SegmentReassemblerTests
{
    private const byte Udhi = 0x40;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly List<DroppedPartialMessage> _dropped = [];

    private SegmentReassembler Create(ReassemblyOptions? options = null) => new(options, _time, _dropped.Add);

    private static byte[] Udh8(byte reference, byte total, byte seq, string text) =>
        [5, 0x00, 3, reference, total, seq, .. text.Select(c => (byte)c)];

    [Fact]
    public void Segments_out_of_order_complete_the_message_in_sequence_order()
    {
        var reassembler = Create();

        Assert.Equal(ReassemblyStatus.Pending, reassembler.Add("A", "B", Udhi, 0, Udh8(1, 3, 3, "ghi")).Status);
        Assert.Equal(ReassemblyStatus.Pending, reassembler.Add("A", "B", Udhi, 0, Udh8(1, 3, 1, "abc")).Status);
        var result = reassembler.Add("A", "B", Udhi, 0, Udh8(1, 3, 2, "def"));

        Assert.Equal(ReassemblyStatus.Complete, result.Status);
        Assert.Equal("abcdefghi", result.Text);
        Assert.Equal(0, reassembler.PendingCount);
    }

    [Fact]
    public void A_duplicate_segment_is_ignored()
    {
        var reassembler = Create();
        reassembler.Add("A", "B", Udhi, 0, Udh8(1, 2, 1, "abc"));

        var duplicate = reassembler.Add("A", "B", Udhi, 0, Udh8(1, 2, 1, "XXX"));
        var result = reassembler.Add("A", "B", Udhi, 0, Udh8(1, 2, 2, "def"));

        Assert.Equal(ReassemblyStatus.Duplicate, duplicate.Status);
        Assert.Equal("abcdef", result.Text);
    }

    [Fact]
    public void Messages_from_different_sources_with_the_same_reference_stay_apart()
    {
        var reassembler = Create();
        reassembler.Add("A", "B", Udhi, 0, Udh8(1, 2, 1, "a1"));
        reassembler.Add("C", "B", Udhi, 0, Udh8(1, 2, 1, "c1"));

        Assert.Equal("a1a2", reassembler.Add("A", "B", Udhi, 0, Udh8(1, 2, 2, "a2")).Text);
        Assert.Equal("c1c2", reassembler.Add("C", "B", Udhi, 0, Udh8(1, 2, 2, "c2")).Text);
    }

    [Fact]
    public void Sar_numbers_reassemble_when_there_is_no_udh()
    {
        var reassembler = Create();

        reassembler.Add("A", "B", 0, 0, "world"u8, new SarNumbers(500, 2, 2));
        var result = reassembler.Add("A", "B", 0, 0, "hello "u8, new SarNumbers(500, 2, 1));

        Assert.Equal("hello world", result.Text);
    }

    [Fact]
    public void A_plain_message_is_complete_at_once()
    {
        var result = Create().Add("A", "B", 0, 0, "hi"u8);

        Assert.Equal(ReassemblyStatus.Complete, result.Status);
        Assert.Equal("hi", result.Text);
        Assert.Null(result.Concatenation);
    }

    [Fact]
    public void A_malformed_udh_is_delivered_as_a_plain_message()
    {
        byte[] message = [0x20, 0x00, 0x03, 0x01, 0x02, 0x01, 0x41];

        var result = Create().Add("A", "B", Udhi, 4, message);

        Assert.Equal(ReassemblyStatus.Complete, result.Status);
        Assert.Equal(message, result.Payload);
    }

    [Fact]
    public void A_partial_older_than_the_expiry_is_dropped_and_reported()
    {
        var reassembler = Create(new ReassemblyOptions { Expiry = TimeSpan.FromMinutes(5) });
        reassembler.Add("A", "B", Udhi, 0, Udh8(9, 2, 1, "abc"));

        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Equal(0, reassembler.RemoveExpired());
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, reassembler.RemoveExpired());

        var dropped = Assert.Single(_dropped);
        Assert.Equal(new DroppedPartialMessage("A", "B", 9, 2, 1, new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero), DropReason.Expired), dropped);
        Assert.Equal(ReassemblyStatus.Pending, reassembler.Add("A", "B", Udhi, 0, Udh8(9, 2, 2, "def")).Status);
    }

    [Fact]
    public void A_late_segment_for_an_expired_partial_starts_afresh_and_reports_the_old_one()
    {
        var reassembler = Create(new ReassemblyOptions { Expiry = TimeSpan.FromMinutes(5) });
        reassembler.Add("A", "B", Udhi, 0, Udh8(9, 2, 1, "abc"));
        _time.Advance(TimeSpan.FromMinutes(6));

        var result = reassembler.Add("A", "B", Udhi, 0, Udh8(9, 2, 2, "def"));

        Assert.Equal(ReassemblyStatus.Pending, result.Status);
        Assert.Equal(DropReason.Expired, Assert.Single(_dropped).Reason);
    }

    [Fact]
    public void At_the_pending_limit_the_oldest_partial_is_evicted()
    {
        var reassembler = Create(new ReassemblyOptions { MaxPendingMessages = 2 });
        reassembler.Add("A", "B", Udhi, 0, Udh8(1, 2, 1, "x"));
        _time.Advance(TimeSpan.FromSeconds(1));
        reassembler.Add("A", "B", Udhi, 0, Udh8(2, 2, 1, "x"));
        _time.Advance(TimeSpan.FromSeconds(1));

        reassembler.Add("A", "B", Udhi, 0, Udh8(3, 2, 1, "x"));

        Assert.Equal(2, reassembler.PendingCount);
        var evicted = Assert.Single(_dropped);
        Assert.Equal((1, DropReason.Evicted), (evicted.Reference, evicted.Reason));
    }

    [Fact]
    public void A_segment_announcing_more_than_the_segment_limit_is_not_held()
    {
        var reassembler = Create(new ReassemblyOptions { MaxSegments = 4 });

        var result = reassembler.Add("A", "B", Udhi, 0, Udh8(1, 5, 1, "abc"));

        Assert.Equal(ReassemblyStatus.Rejected, result.Status);
        Assert.Equal("abc", result.Text);
        Assert.Equal(0, reassembler.PendingCount);
    }
}
