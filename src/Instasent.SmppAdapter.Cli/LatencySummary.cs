using System.Globalization;

namespace Instasent.SmppAdapter.Cli;

/// <summary>Percentiles of a set of latencies, by the nearest-rank method (each reported value is a measured one).</summary>
internal sealed record LatencySummary(int Count, TimeSpan P50, TimeSpan P95, TimeSpan P99, TimeSpan Max)
{
    /// <summary>The summary of <paramref name="samples"/>, or null when there are none.</summary>
    public static LatencySummary? Of(IEnumerable<TimeSpan> samples)
    {
        var sorted = samples.Order().ToArray();
        return sorted.Length == 0
            ? null
            : new LatencySummary(sorted.Length, NearestRank(sorted, 50), NearestRank(sorted, 95), NearestRank(sorted, 99), sorted[^1]);
    }

    /// <summary>The smallest sample with at least <paramref name="percent"/>% of the samples at or below it.</summary>
    public static TimeSpan NearestRank(IReadOnlyList<TimeSpan> sorted, int percent)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(percent, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        // rank = ceil(percent/100 * n), in integers so that e.g. 99% of 1000 is exactly rank 990.
        var rank = (percent * sorted.Count + 99) / 100;
        return sorted[rank - 1];
    }

    public override string ToString() =>
        $"p50 {Format(P50)} · p95 {Format(P95)} · p99 {Format(P99)} · max {Format(Max)} (n={Count})";

    /// <summary><c>12 ms</c> under a second, <c>1.23 s</c> from there.</summary>
    public static string Format(TimeSpan value) => value < TimeSpan.FromSeconds(1)
        ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:0} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.00} s");
}
