using System.Globalization;
using System.Text;
using Instasent.Smpp.Pdus;
using Instasent.Smpp.TestSupport.Peers;

namespace Instasent.SmppAdapter.Simulator.Tests;

/// <summary>
/// compare-session.sh measures node-smpp's server with a ceiling client (tests/Instasent.SmppAdapter.Benchmarks/
/// node/ceiling-client.js) to show the most any client can get from it. That figure only means something if the
/// ceiling client sends valid SMPP and the same submit_sm as <c>session-load</c>; these tests hold it to that.
/// </summary>
public class CeilingClientTests
{
    private static readonly string Script = Path.Combine(InteropEnvironment.RepoRoot, "tests", "Instasent.SmppAdapter.Benchmarks", "node", "ceiling-client.js");

    [Fact]
    public async Task Sends_session_loads_submit_sm_keeps_its_window_full_and_counts_only_answers()
    {
        await using var simulator = await Sim.StartAsync(Sim.Options() with { SubmitHistory = 200_000 });

        var run = await RunAsync(simulator.Port, Sim.Password);

        Assert.True(run.ExitCode == 0, run.ToString());
        var summary = run.JsonLines().Single();
        var acknowledged = summary["acknowledged"]!.GetValue<int>();
        Assert.Equal(0, summary["not_ok"]!.GetValue<int>());
        Assert.True(summary["submit_sm_per_s"]!.GetValue<double>() > 0, run.ToString());
        // Every submit it counted was answered by the simulator, and nothing was sent twice with one sequence number.
        var submits = simulator.RecentSubmits();
        Assert.InRange(submits.Count, acknowledged, acknowledged + 5); // at most the window still unanswered
        Assert.Equal(submits.Count, submits.Select(s => s.Pdu.SequenceNumber).Distinct().Count());
        Assert.All(submits, s =>
        {
            Assert.Equal(Ton.Alphanumeric, s.Pdu.SourceAddrTon);
            Assert.Equal(Npi.Unknown, s.Pdu.SourceAddrNpi);
            Assert.Equal("Instasent", s.SourceAddr);
            Assert.Equal(Ton.International, s.Pdu.DestAddrTon);
            Assert.Equal(Npi.Isdn, s.Pdu.DestAddrNpi);
            Assert.Equal("+34676388300", s.DestinationAddr);
            Assert.Equal(0, s.RegisteredDelivery);
            Assert.Equal(0, s.DataCoding);
            Assert.Equal("session-load benchmark message", Encoding.ASCII.GetString(s.ShortMessage.Span));
        });
    }

    [Fact]
    public async Task A_refused_bind_exits_2_and_says_so()
    {
        await using var simulator = await Sim.StartAsync();

        var run = await RunAsync(simulator.Port, "wrong");

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("bind refused with command_status 0x0000000e", run.JsonLines().Single()["error"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static Task<PeerRun> RunAsync(int port, string password)
    {
        var node = InteropEnvironment.RequireNodePeers();
        var inv = CultureInfo.InvariantCulture;
        return PeerProcess.RunAsync(node,
            [Script, "--host", "127.0.0.1", "--port", port.ToString(inv), "--system-id", Sim.User, "--password", password,
             "--window", "5", "--warmup", "0.2", "--duration", "0.5"],
            TimeSpan.FromSeconds(30));
    }
}
