using System.Globalization;

namespace Instasent.SmppAdapter.Tests.Ops;

/// <summary>
/// <c>ops/load-rounds.sh --from</c> turns the log directories of <c>ops/load.sh --kannel</c> runs into the ratios issue
/// #12's goals compare: the medians inside each round, each adapter variant against Kannel in the same round, then the
/// median over the rounds. Fed results.tsv files written here, with figures whose ratios are known.
/// </summary>
public sealed class LoadRoundsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("load-rounds-test").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_ratios_are_per_round_medians_against_the_same_rounds_Kannel_then_the_median_over_rounds()
    {
        // Round 1: Kannel 1,000/s at 600 us; the adapter's three runs 1,400/1,500/1,600 /s (median 1,500 = 1.50x) and
        // gateway 300+100, 300+150, 300+200 us (median 450 = 0.75x); without receipts 3,000/s against a 4,000/s ceiling.
        var round1 = Round("r1",
            Run("kannel", 1000, 600, 0), Run("kannel", 1000, 600, 0), Run("kannel", 1000, 600, 0),
            Run("adapter+receipts", 1400, 300, 100), Run("adapter+receipts", 1500, 300, 150), Run("adapter+receipts", 1600, 300, 200),
            Run("adapter", 3000, 100, 100), Run("bare-one-hop", 4000, 50, 50));
        // Round 2: Kannel 2,000/s at 400 us; the adapter 2,000/s (1.00x) at 200+200 us (1.00x); 2,000 against 4,000.
        var round2 = Round("r2",
            Run("kannel", 2000, 400, 0), Run("adapter+receipts", 2000, 200, 200), Run("adapter", 2000, 100, 100), Run("bare-one-hop", 4000, 50, 50));
        // Round 3: Kannel 1,000/s at 500 us; the adapter 1,200/s (1.20x) at 250+150 us (0.80x); 3,600 against 4,000.
        var round3 = Round("r3",
            Run("kannel", 1000, 500, 0), Run("adapter+receipts", 1200, 250, 150), Run("adapter", 3600, 100, 100), Run("bare-one-hop", 4000, 50, 50));

        var (exit, stdout, stderr) = await Repo.RunAsync("bash", ["ops/load-rounds.sh", "--from", round1, round2, round3], TimeSpan.FromSeconds(30));

        Assert.True(exit == 0, stderr);
        Assert.Contains("Kannel with receipts, per round: 1000/s 600 us; 2000/s 400 us; 1000/s 500 us", stdout, StringComparison.Ordinal);
        var receipts = Line(stdout, "adapter+receipts");
        Assert.Equal(["1.50", "1.00", "1.20", "0.75", "1.00", "0.80", "1.20,", "0.80"], receipts);
        var without = Line(stdout, "adapter");
        Assert.Equal(["0.75", "0.50", "0.90", "-", "0.75,", "-"], without);
    }

    [Fact]
    public async Task A_directory_without_results_is_refused()
    {
        var (exit, _, stderr) = await Repo.RunAsync("bash", ["ops/load-rounds.sh", "--from", _dir], TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exit);
        Assert.Contains("no results.tsv", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rounds_without_Kannel_are_refused_before_anything_runs()
    {
        var (exit, _, stderr) = await Repo.RunAsync("bash", ["ops/load-rounds.sh", "2", "--count", "10"], TimeSpan.FromSeconds(30));

        Assert.NotEqual(0, exit);
        Assert.Contains("pass --kannel", stderr, StringComparison.Ordinal);
    }

    /// <summary>The figures of the variant's row, after its name.</summary>
    private static string[] Line(string stdout, string variant) =>
        stdout.Split('\n').Single(l => l.StartsWith(variant + " ", StringComparison.Ordinal))[variant.Length..]
            .Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private string Round(string name, params string[] runs)
    {
        var dir = Path.Combine(_dir, name);
        Directory.CreateDirectory(dir);
        File.WriteAllLines(Path.Combine(dir, "results.tsv"), runs);
        return dir;
    }

    /// <summary>One results.tsv line as ops/load.sh writes it: the rate in column 2, CPU per command of the service in 15 and of the broker in 17.</summary>
    private static string Run(string variant, int perSecond, int serviceUs, int brokerUs)
    {
        var columns = Enumerable.Repeat("0", 22).ToArray();
        columns[0] = variant;
        columns[1] = perSecond.ToString(CultureInfo.InvariantCulture);
        columns[14] = serviceUs.ToString(CultureInfo.InvariantCulture);
        columns[16] = brokerUs.ToString(CultureInfo.InvariantCulture);
        return string.Join('\t', columns);
    }
}
