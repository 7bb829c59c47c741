using Instasent.SmppAdapter.Cli;

namespace Instasent.SmppAdapter.Cli.Tests;

/// <summary>The send summary's percentiles: nearest rank, so every reported value is one that was measured.</summary>
public sealed class LatencySummaryTests
{
    private static TimeSpan Ms(int value) => TimeSpan.FromMilliseconds(value);

    [Fact]
    public void Percentiles_of_1_to_100_ms_are_the_50th_95th_and_99th_values()
    {
        // Shuffled on purpose: the summary sorts.
        var samples = Enumerable.Range(1, 100).Select(Ms).OrderBy(s => (s.Milliseconds * 37) % 101).ToList();

        var summary = LatencySummary.Of(samples)!;

        Assert.Equal(100, summary.Count);
        Assert.Equal(Ms(50), summary.P50);
        Assert.Equal(Ms(95), summary.P95);
        Assert.Equal(Ms(99), summary.P99);
        Assert.Equal(Ms(100), summary.Max);
    }

    [Fact]
    public void The_99th_percentile_of_1000_samples_is_rank_990_exactly()
    {
        // 0.99 * 1000 in floating point is 989.999..., whose ceiling would wrongly be rank 990 or 991 depending on rounding.
        var summary = LatencySummary.Of(Enumerable.Range(1, 1000).Select(Ms))!;

        Assert.Equal(Ms(500), summary.P50);
        Assert.Equal(Ms(950), summary.P95);
        Assert.Equal(Ms(990), summary.P99);
    }

    [Fact]
    public void Few_samples_round_up_to_the_next_measured_value()
    {
        // n = 3: p50 is rank ceil(1.5) = 2; p95 and p99 are rank 3.
        var summary = LatencySummary.Of([Ms(30), Ms(10), Ms(20)])!;

        Assert.Equal(Ms(20), summary.P50);
        Assert.Equal(Ms(30), summary.P95);
        Assert.Equal(Ms(30), summary.P99);
        Assert.Equal(Ms(30), summary.Max);
    }

    [Fact]
    public void One_sample_is_every_percentile()
    {
        var summary = LatencySummary.Of([Ms(42)])!;

        Assert.Equal([Ms(42), Ms(42), Ms(42), Ms(42)], new[] { summary.P50, summary.P95, summary.P99, summary.Max });
    }

    [Fact]
    public void No_samples_is_no_summary()
    {
        Assert.Null(LatencySummary.Of([]));
    }

    [Fact]
    public void Latencies_print_in_ms_under_a_second_and_in_seconds_from_there()
    {
        Assert.Equal("p50 12 ms · p95 999 ms · p99 1.50 s · max 2.00 s (n=4)",
            new LatencySummary(4, Ms(12), Ms(999), Ms(1500), Ms(2000)).ToString());
    }
}
