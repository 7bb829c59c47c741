using System.Text.Json.Nodes;

namespace Instasent.Smpp.TestSupport.Peers;

/// <summary>
/// node-smpp's PDU codec (tests/interop/pdu-codec.js), spawned once and asked one JSON line at a time.
/// Fields carry node-smpp's names (snake_case as in the SMPP specification); byte values go in as
/// <see cref="Hex"/> objects and come back as lowercase hex strings.
/// </summary>
public sealed class NodePduCodec : IAsyncDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private readonly PeerProcess _process;

    private NodePduCodec(PeerProcess process) => _process = process;

    public static NodePduCodec Start()
    {
        var node = InteropEnvironment.RequireNodePeers();
        return new NodePduCodec(PeerProcess.Start(node, ["pdu-codec.js"]));
    }

    /// <summary>A byte value for an encode request: node-smpp gets it as a Buffer and copies it as is.</summary>
    public static JsonObject Hex(ReadOnlySpan<byte> bytes) => new() { ["hex"] = Convert.ToHexStringLower(bytes) };

    /// <summary>
    /// Encodes <paramref name="pdu"/> (<c>{"command":"submit_sm","sequence_number":1,...}</c>; TLVs node-smpp has no
    /// name for go in <c>"tlvs":[{"tag":5120,"hex":"..."}]</c>) with node-smpp's <c>PDU.toBuffer()</c>.
    /// </summary>
    public async Task<byte[]> EncodeAsync(JsonObject pdu)
    {
        var answer = await AskAsync(new JsonObject { ["op"] = "encode", ["pdu"] = pdu.DeepClone() });
        return Convert.FromHexString(answer["hex"]!.GetValue<string>());
    }

    /// <summary>
    /// Decodes one whole PDU with node-smpp's <c>PDU.fromBuffer</c>, raw (times as strings, short_message as hex),
    /// plus node-smpp's text view of short_message/message_payload under <c>"_message"</c>.
    /// </summary>
    public Task<JsonObject> DecodeAsync(ReadOnlySpan<byte> pdu) =>
        AskAsync(new JsonObject { ["op"] = "decode", ["hex"] = Convert.ToHexStringLower(pdu) });

    /// <summary>
    /// What node-smpp knows: <c>commands</c> (name → its mandatory parameter names in wire order) and <c>tlvs</c>
    /// (decimal tag → name, value type int8/int16/int32/cstring/string/buffer, whether it may repeat).
    /// </summary>
    public Task<JsonObject> SchemaAsync() => AskAsync(new JsonObject { ["op"] = "schema" });

    private async Task<JsonObject> AskAsync(JsonObject request)
    {
        var line = await _process.RequestAsync(request.ToJsonString(), RequestTimeout);
        var answer = JsonNode.Parse(line)?.AsObject()
            ?? throw new InvalidOperationException($"node-smpp codec answered '{line}'");
        if (answer["error"] is { } error)
        {
            throw new NodeSmppRefusedException($"node-smpp refused {request.ToJsonString()}: {error}");
        }

        return answer;
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}

/// <summary>node-smpp could not encode or decode what it was given.</summary>
public sealed class NodeSmppRefusedException(string message) : Exception(message);
