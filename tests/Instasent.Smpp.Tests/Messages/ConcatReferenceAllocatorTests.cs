using System.Collections.Concurrent;
using Instasent.Smpp.Messages;

namespace Instasent.Smpp.Tests.Messages;

public class ConcatReferenceAllocatorTests
{
    [Fact]
    public async Task Concurrent_messages_to_one_destination_never_hold_the_same_reference()
    {
        var allocator = new ConcatReferenceAllocator(SegmentationMode.Udh8);
        var held = new ConcurrentDictionary<ushort, int>();
        var collisions = 0;

        var workers = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 2000; i++)
            {
                using var reference = allocator.Rent("+34600000000");
                if (!held.TryAdd(reference.Value, 0))
                {
                    Interlocked.Increment(ref collisions);
                }
                held.TryRemove(reference.Value, out _);
            }
        }));
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, collisions);
        Assert.Equal(0, allocator.TrackedDestinations);
    }

    [Fact]
    public void All_256_eight_bit_references_can_be_in_flight_and_the_257th_fails_clearly()
    {
        var allocator = new ConcatReferenceAllocator(SegmentationMode.Udh8);
        var references = Enumerable.Range(0, 256).Select(_ => allocator.Rent("+34600000000")).ToList();

        Assert.Equal(Enumerable.Range(0, 256).Select(i => (ushort)i), references.Select(r => r.Value).Order());
        var error = Assert.Throws<InvalidOperationException>(() => allocator.Rent("+34600000000"));
        Assert.Contains("All 256 concatenation references (0..255)", error.Message);

        references[10].Dispose();
        Assert.Equal(references[10].Value, allocator.Rent("+34600000000").Value);
    }

    [Fact]
    public void Another_destination_is_independent()
    {
        var allocator = new ConcatReferenceAllocator(maxReference: 0);
        using var first = allocator.Rent("+34600000001");

        using var second = allocator.Rent("+34600000002");

        Assert.Equal(0, second.Value);
        Assert.Equal(2, allocator.TrackedDestinations);
    }

    [Fact]
    public void A_released_reference_is_not_handed_out_again_before_the_counter_wraps()
    {
        var allocator = new ConcatReferenceAllocator(SegmentationMode.Udh16);
        var values = new List<ushort>();
        for (var i = 0; i < 1000; i++)
        {
            using var reference = allocator.Rent("+34600000000");
            values.Add(reference.Value);
        }

        Assert.Equal(1000, values.Distinct().Count());
        Assert.Equal(65535, allocator.MaxReference);
    }

    [Fact]
    public void Disposing_twice_releases_once()
    {
        var allocator = new ConcatReferenceAllocator(maxReference: 1);
        var a = allocator.Rent("d");
        var b = allocator.Rent("d");
        a.Dispose();
        var c = allocator.Rent("d");

        a.Dispose();

        Assert.Throws<InvalidOperationException>(() => allocator.Rent("d"));
        Assert.NotEqual(b.Value, c.Value);
    }
}
