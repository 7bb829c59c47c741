using System.Globalization;
using System.Text.Json.Nodes;

namespace Instasent.Smpp.TestSupport.Peers;

/// <summary>What the node-smpp ESME is asked to do.</summary>
public sealed record NodeEsmeOptions(string Host, int Port, string SystemId, string Password)
{
    public int Count { get; init; } = 1;
    public int Window { get; init; } = 1;
    public bool WaitReceipts { get; init; }
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);
    public string Bind { get; init; } = "transceiver";
}

/// <summary>The JSON lines the node-smpp ESME printed: bind, summary, unbind.</summary>
public sealed record NodeEsmeRun(int ExitCode, JsonObject? Bind, JsonObject? Summary, JsonObject? Unbind, PeerRun Raw)
{
    public int BindStatus => Bind?["command_status"]?.GetValue<int>() ?? -1;
    public int Acknowledged => Summary?["acknowledged"]?.GetValue<int>() ?? 0;
    public int Failed => Summary?["failed"]?.GetValue<int>() ?? 0;
    public int Receipts => Summary?["receipts"]?.GetValue<int>() ?? 0;
    public double SubmitsPerSecond => Summary?["submit_sm_per_s"]?.GetValue<double>() ?? 0;
    public IReadOnlyList<string> MessageIds =>
        Summary?["message_ids"]?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [];
}

/// <summary>node-smpp as a third-party ESME (tests/interop/esme-client.js): binds, submits windowed, unbinds.</summary>
public static class NodeEsmeClient
{
    public static async Task<NodeEsmeRun> RunAsync(NodeEsmeOptions options)
    {
        var node = InteropEnvironment.RequireNodePeers();
        var inv = CultureInfo.InvariantCulture;
        List<string> arguments =
        [
            "esme-client.js", "--host", options.Host, "--port", options.Port.ToString(inv),
            "--system-id", options.SystemId, "--password", options.Password,
            "--count", options.Count.ToString(inv), "--window", options.Window.ToString(inv),
            "--duration", options.Duration.TotalSeconds.ToString(inv), "--bind", options.Bind,
        ];
        if (options.WaitReceipts)
        {
            arguments.Add("--wait-receipts");
        }

        var run = await PeerProcess.RunAsync(node, arguments, options.Duration + TimeSpan.FromSeconds(15));
        var events = run.JsonLines();
        JsonObject? Find(string name) => events.FirstOrDefault(e => e["event"]?.GetValue<string>() == name);
        return new NodeEsmeRun(run.ExitCode, Find("bind"), Find("summary"), Find("unbind"), run);
    }
}
