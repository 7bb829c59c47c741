namespace Instasent.Smpp.TestSupport.Peers;

/// <summary>
/// node-smpp's server as an SMSC (tests/interop/smsc-server.js) on a free loopback port: binds with the given
/// credentials (anything else is refused with ESME_RINVPASWD), answers submit_sm with ids 1, 2, 3...,
/// enquire_link and unbind, and with receipts sends a delivery receipt deliver_sm per submit asking for one.
/// </summary>
public sealed class NodeSmppServer : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private readonly PeerProcess _process;

    private NodeSmppServer(PeerProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public string Host => "127.0.0.1";

    public int Port { get; }

    /// <summary>What the server logged (binds and errors; everything with <c>verbose</c>).</summary>
    public string Log => _process.StandardError;

    public static async Task<NodeSmppServer> StartAsync(string systemId, string password, bool receipts = false, bool verbose = false)
    {
        var node = InteropEnvironment.RequireNodePeers();
        List<string> arguments = ["smsc-server.js", "--port", "0", "--system-id", systemId, "--password", password];
        if (receipts)
        {
            arguments.Add("--receipts");
        }

        if (verbose)
        {
            arguments.Add("--verbose");
        }

        var process = PeerProcess.Start(node, arguments);
        try
        {
            var line = await process.ReadLineAsync(l => l.StartsWith("LISTENING ", StringComparison.Ordinal), StartTimeout);
            return new NodeSmppServer(process, int.Parse(line["LISTENING ".Length..], System.Globalization.CultureInfo.InvariantCulture));
        }
        catch
        {
            await process.DisposeAsync();
            throw;
        }
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
