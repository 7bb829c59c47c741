using Instasent.SmppAdapter.Stores;
using Microsoft.Extensions.Time.Testing;

namespace Instasent.SmppAdapter.Tests.Stores;

public sealed class ExpiringMapTests
{
    private static readonly TimeSpan Retention = TimeSpan.FromHours(72);

    [Fact]
    public void Keys_written_and_removed_behind_a_long_lived_entry_do_not_pile_up_in_the_write_order()
    {
        // As the progress store is used: a command's progress written twice and removed once its outcome is recorded,
        // while one command's progress stays (it waits in another queue) at the head of the write order.
        var map = new ExpiringMap<string, int>(Retention, 1_000_000, new FakeTimeProvider());
        map.Set("waiting", 0);
        for (var i = 0; i < 100_000; i++)
        {
            var key = "m" + i;
            map.Set(key, 1);
            map.Set(key, 2);
            map.Remove(key);
        }
        Assert.Equal(1, map.Count);
        Assert.True(map.Slots <= 2 * ExpiringMap<string, int>.CompactionFloor, $"{map.Slots} slots for one entry");
        Assert.True(map.TryGet("waiting", out var value));
        Assert.Equal(0, value);
    }

    [Fact]
    public void Compacting_keeps_the_live_entries_in_write_order_for_expiry_and_eviction()
    {
        var time = new FakeTimeProvider();
        var map = new ExpiringMap<int, int>(Retention, 3_001, time);
        // Live keys 0..2999 written one second apart, each followed by keys written and removed, so compactions run
        // between them.
        for (var i = 0; i < 3_000; i++)
        {
            map.Set(i, i);
            for (var j = 0; j < 3; j++)
            {
                map.Set(-1 - j, j);
                map.Remove(-1 - j);
            }
            time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(3_000, map.Count);
        Assert.True(map.Slots < 2 * 3_000 + 3, $"{map.Slots} slots for 3,000 entries");

        // Eviction takes the oldest: past the bound (3,001 entries) one more key drops key 0 and nothing else.
        map.Set(3_000, 3_000);
        map.Set(3_001, 3_001);
        Assert.False(map.TryGet(0, out _));
        Assert.True(map.TryGet(1, out _));

        // Expiry follows the write order: 72 h after key 10 was written, keys 1..10 are gone, 11 is not.
        time.Advance(Retention - TimeSpan.FromSeconds(3_000 - 10));
        Assert.Equal(3_001 - 10, map.Count);
        Assert.False(map.TryGet(10, out _));
        Assert.True(map.TryGet(11, out var eleven));
        Assert.Equal(11, eleven);
    }

    [Fact]
    public void A_rewritten_key_keeps_its_newest_value_and_expiry_through_a_compaction()
    {
        var time = new FakeTimeProvider();
        var map = new ExpiringMap<string, int>(Retention, 1_000_000, time);
        map.Set("k", 1);
        time.Advance(TimeSpan.FromHours(1));
        map.Set("k", 2);
        for (var i = 0; i < 5_000; i++)
        {
            map.Set("t" + i, i);
            map.Remove("t" + i);
        }
        Assert.True(map.Slots < 2 * ExpiringMap<string, int>.CompactionFloor);
        time.Advance(Retention - TimeSpan.FromMinutes(1));
        Assert.True(map.TryGet("k", out var value));
        Assert.Equal(2, value);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.False(map.TryGet("k", out _));
        Assert.Equal(0, map.Count);
    }
}
