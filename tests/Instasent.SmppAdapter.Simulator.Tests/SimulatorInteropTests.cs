using Instasent.Smpp.TestSupport.Peers;
using Instasent.SmppAdapter.Simulator;

namespace Instasent.SmppAdapter.Simulator.Tests;

/// <summary>
/// Third-party ESMEs against the simulator: node-smpp's client (tests/interop/esme-client.js) and Perl's Net::SMPP
/// (tests/interop/netsmpp-client.pl) bind, submit and get their receipts. If these pass, the simulator is not just
/// speaking our own codec's dialect.
/// </summary>
public class SimulatorInteropTests
{
    [Fact]
    public async Task Node_smpp_client_binds_submits_and_gets_a_receipt_for_every_message()
    {
        await using var simulator = await Sim.StartAsync();

        var run = await NodeEsmeClient.RunAsync(new NodeEsmeOptions("127.0.0.1", simulator.Port, Sim.User, Sim.Password)
        {
            Count = 20,
            Window = 5,
            WaitReceipts = true,
            Duration = TimeSpan.FromSeconds(30),
        });

        Assert.True(run.ExitCode == 0, run.Raw.ToString());
        Assert.Equal(0, run.BindStatus);
        Assert.Equal("Instasent", run.Bind!["system_id"]!.GetValue<string>());
        Assert.Equal(20, run.Acknowledged);
        Assert.Equal(0, run.Failed);
        Assert.Equal(20, run.Receipts);
        Assert.Equal(simulator.RecentSubmits().Select(s => s.MessageId).Order(), run.MessageIds.Order());
        Assert.Equal(0, run.Unbind!["command_status"]!.GetValue<int>());
        await SimulatorBindTests.WaitUntilAsync(() => simulator.Stats.ReceiptsAcknowledged == 20);
    }

    [Fact]
    public async Task Node_smpp_client_is_refused_with_ESME_RINVPASWD_for_a_wrong_password()
    {
        await using var simulator = await Sim.StartAsync();

        var run = await NodeEsmeClient.RunAsync(new NodeEsmeOptions("127.0.0.1", simulator.Port, Sim.User, "wrong")
        {
            Duration = TimeSpan.FromSeconds(10),
        });

        Assert.True(run.ExitCode == 2, run.Raw.ToString());
        Assert.Equal("ESME_RINVPASWD", run.Bind!["command_status_name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Net_smpp_client_binds_submits_and_gets_a_receipt_for_every_message()
    {
        await using var simulator = await Sim.StartAsync(Sim.Options() with { ReceiptMix = new ReceiptMix(1, Undeliverable: 1) });

        var run = await NetSmppClient.RunAsync("127.0.0.1", simulator.Port, Sim.User, Sim.Password, count: 4, waitReceipts: true);

        Assert.True(run.ExitCode == 0, run.Raw.ToString());
        Assert.Equal(0, run.Bind!["status"]!.GetValue<int>());
        var ids = run.Of("submit_sm_resp").Select(e => e["message_id"]!.GetValue<string>()).ToHashSet();
        Assert.Equal(4, ids.Count);
        var receipts = run.Of("deliver_sm").ToList();
        Assert.Equal(4, receipts.Count);
        Assert.All(receipts, r => Assert.Equal(4, r["esm_class"]!.GetValue<int>()));
        Assert.Equal(ids, receipts.Select(r => r["receipted_message_id"]!.GetValue<string>()).ToHashSet());
        Assert.Equal(2, receipts.Count(r => r["short_message"]!.GetValue<string>().Contains("stat:UNDELIV", StringComparison.Ordinal)));
        Assert.Equal(0, run.Of("unbind_resp").Single()["status"]!.GetValue<int>());
    }
}
