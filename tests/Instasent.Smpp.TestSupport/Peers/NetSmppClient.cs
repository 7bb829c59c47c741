using System.Globalization;
using System.Text.Json.Nodes;

namespace Instasent.Smpp.TestSupport.Peers;

/// <summary>The JSON lines Net::SMPP's client printed (events bind, submit_sm_resp, deliver_sm, unbind_resp, summary).</summary>
public sealed record NetSmppRun(int ExitCode, IReadOnlyList<JsonObject> Events, PeerRun Raw)
{
    public IEnumerable<JsonObject> Of(string name) => Events.Where(e => e["event"]?.GetValue<string>() == name);
    public JsonObject? Bind => Of("bind").FirstOrDefault();
    public JsonObject? Summary => Of("summary").FirstOrDefault();
}

/// <summary>
/// Perl's Net::SMPP (Debian libnet-smpp-perl) as a third-party ESME (tests/interop/netsmpp-client.pl):
/// bind_transceiver, <c>count</c> submit_sm, receipts answered, unbind, all within <c>timeout</c>.
/// </summary>
public static class NetSmppClient
{
    public static async Task<NetSmppRun> RunAsync(
        string host, int port, string systemId, string password, int count = 1, bool waitReceipts = false,
        TimeSpan? timeout = null)
    {
        var perl = InteropEnvironment.RequireExecutable("perl", "perl");
        InteropEnvironment.RequireFile("/usr/share/perl5/Net/SMPP.pm", "libnet-smpp-perl");
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        var inv = CultureInfo.InvariantCulture;
        List<string> arguments =
        [
            "netsmpp-client.pl", "--host", host, "--port", port.ToString(inv), "--system-id", systemId,
            "--password", password, "--count", count.ToString(inv),
            "--timeout", ((int)Math.Ceiling(limit.TotalSeconds)).ToString(inv),
        ];
        if (waitReceipts)
        {
            arguments.Add("--wait-receipts");
        }

        var run = await PeerProcess.RunAsync(perl, arguments, limit + TimeSpan.FromSeconds(15));
        return new NetSmppRun(run.ExitCode, run.JsonLines(), run);
    }
}
