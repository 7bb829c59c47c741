using System.Globalization;
using System.Text.Json.Nodes;
using Instasent.Smpp.TestSupport.Peers;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

/// <summary>What the bare amqplib client publishes and listens for.</summary>
public sealed record AmqpPeerOptions(Uri BrokerUri)
{
    public string Queue { get; init; } = "smpp-send-sms";
    public string MessageId { get; init; } = Guid.NewGuid().ToString();
    public string From { get; init; } = "Instasent";
    public string To { get; init; } = "+34676388300";
    public string Text { get; init; } = "Hello from amqplib";
    /// <summary>More SendSms fields (or overrides), merged into the JSON body.</summary>
    public JsonObject? Fields { get; init; }
    public bool ContentType { get; init; } = true;
    public string? Traceparent { get; init; }
    public bool Publish { get; init; } = true;
    public IReadOnlyList<string> Exchanges { get; init; } = ["smpp.sms-submitted", "smpp.sms-rejected", "smpp.sms-delivery-reported"];
    public int Expect { get; init; } = 1;
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>The JSON lines the amqplib client printed.</summary>
public sealed record AmqpPeerRun(int ExitCode, IReadOnlyList<JsonObject> Events, PeerRun Raw)
{
    public IEnumerable<JsonObject> Of(string name) => Events.Where(e => e["event"]?.GetValue<string>() == name);
    public IReadOnlyList<JsonObject> Received => Of("received").ToList();
    public bool Unroutable => ExitCode == 4;
}

/// <summary>
/// A service in another language on the bus: tests/interop/amqp-publish-consume.js (amqplib, no MassTransit)
/// publishes a plain JSON SendSms and prints the events it gets from the adapter's fanout exchanges.
/// <see cref="StartAsync"/> returns once its event queue is bound, so nothing published afterwards is missed.
/// </summary>
public sealed class AmqpPeer : IAsyncDisposable
{
    private readonly PeerProcess _process;
    private readonly AmqpPeerOptions _options;
    private readonly List<string> _lines = [];

    private AmqpPeer(PeerProcess process, AmqpPeerOptions options)
    {
        _process = process;
        _options = options;
    }

    public static async Task<AmqpPeer> StartAsync(AmqpPeerOptions options)
    {
        var node = InteropEnvironment.RequireNodePeers();
        List<string> arguments =
        [
            "amqp-publish-consume.js", "--uri", options.BrokerUri.ToString(), "--queue", options.Queue,
            "--message-id", options.MessageId, "--from", options.From, "--to", options.To, "--text", options.Text,
            "--exchanges", string.Join(',', options.Exchanges),
            "--expect", options.Expect.ToString(CultureInfo.InvariantCulture),
            "--timeout", ((int)Math.Ceiling(options.Timeout.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
        ];
        if (options.Fields is not null)
        {
            arguments.AddRange(["--json", options.Fields.ToJsonString()]);
        }

        if (!options.ContentType)
        {
            arguments.Add("--no-content-type");
        }

        if (options.Traceparent is not null)
        {
            arguments.AddRange(["--traceparent", options.Traceparent]);
        }

        if (!options.Publish)
        {
            arguments.Add("--no-publish");
        }

        var peer = new AmqpPeer(PeerProcess.Start(node, arguments), options);
        try
        {
            var listening = await peer._process.ReadLineAsync(
                l => { peer._lines.Add(l); return l.Contains("\"listening\"", StringComparison.Ordinal) || l.Contains("\"error\"", StringComparison.Ordinal); },
                TimeSpan.FromSeconds(20));
            if (!listening.Contains("\"listening\"", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"amqplib client failed: {listening}\n{peer._process.StandardError}");
            }

            return peer;
        }
        catch
        {
            await peer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for the client to publish, collect what it expects (or time out) and exit.</summary>
    public async Task<AmqpPeerRun> WaitAsync()
    {
        var exitCode = await _process.WaitForExitAsync(_options.Timeout + TimeSpan.FromSeconds(15));
        _lines.AddRange(_process.TakeBufferedLines());
        var run = new PeerRun(exitCode, _lines, _process.StandardError);
        return new AmqpPeerRun(exitCode, run.JsonLines(), run);
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
