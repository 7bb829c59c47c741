using System.Buffers.Binary;
using System.Text.Json;

namespace Instasent.Smpp.TestSupport.Peers;

/// <summary>
/// How Wireshark's SMPP dissector read one PDU: its <c>smpp.*</c> fields in order (repeated fields kept) and any
/// problem it flagged (malformed packet, data past or short of the PDU, an expert warning or error).
/// </summary>
public sealed record TsharkDissection(IReadOnlyList<KeyValuePair<string, string>> Fields, IReadOnlyList<string> Problems)
{
    public bool Clean => Problems.Count == 0;

    /// <summary>The first value of <paramref name="field"/> (e.g. <c>smpp.source_addr</c>), or null.</summary>
    public string? this[string field] => Fields.FirstOrDefault(f => f.Key == field).Value;

    public IEnumerable<string> All(string field) => Fields.Where(f => f.Key == field).Select(f => f.Value);

    public override string ToString() =>
        $"problems: [{string.Join("; ", Problems)}]\nfields: {string.Join(' ', Fields.Select(f => $"{f.Key}={f.Value}"))}";
}

/// <summary>
/// Wireshark's SMPP dissector (Debian tshark): PDUs are written as a pcap, one TCP segment per PDU on its own
/// loopback connection to port 2775, then read back with <c>tshark -T json</c>, TCP reassembly off so a PDU that
/// claims more bytes than it has shows up as a problem instead of waiting for more.
/// </summary>
public static class Tshark
{
    // Wireshark expert severities (epan/proto.h): PI_WARN = 0x00600000, PI_ERROR = 0x00800000.
    private const long ExpertWarning = 0x00600000;

    public static async Task<TsharkDissection> DissectAsync(ReadOnlyMemory<byte> pdu) => (await DissectAsync([pdu]))[0];

    public static async Task<IReadOnlyList<TsharkDissection>> DissectAsync(IReadOnlyList<ReadOnlyMemory<byte>> pdus)
    {
        var tshark = InteropEnvironment.RequireExecutable("tshark", "tshark");
        var pcap = Path.Combine(Path.GetTempPath(), $"instasent-smpp-{Guid.NewGuid():N}.pcap");
        try
        {
            await File.WriteAllBytesAsync(pcap, Pcap.Write(pdus));
            var run = await PeerProcess.RunAsync(tshark,
                ["-r", pcap, "-n", "-o", "tcp.desegment_tcp_streams:FALSE", "-d", "tcp.port==2775,smpp", "-T", "json"],
                TimeSpan.FromSeconds(60), workingDirectory: Path.GetTempPath());
            if (run.ExitCode != 0)
            {
                throw new InvalidOperationException($"tshark failed:\n{run}");
            }

            using var json = JsonDocument.Parse(string.Join('\n', run.StandardOutput));
            var packets = json.RootElement.EnumerateArray().Select(Read).ToList();
            if (packets.Count != pdus.Count)
            {
                throw new InvalidOperationException($"tshark dissected {packets.Count} packets for {pdus.Count} PDUs:\n{run}");
            }

            return packets;
        }
        finally
        {
            File.Delete(pcap);
        }
    }

    private static TsharkDissection Read(JsonElement packet)
    {
        var layers = packet.GetProperty("_source").GetProperty("layers");
        var fields = new List<KeyValuePair<string, string>>();
        var problems = new List<string>();
        var smppLayers = 0;
        foreach (var layer in layers.EnumerateObject())
        {
            if (layer.Name == "smpp")
            {
                smppLayers++;
                Flatten(layer.Value, fields);
            }
            CollectProblems(layer.Name, layer.Value, problems);
        }
        if (smppLayers == 0)
        {
            problems.Add("tshark found no SMPP PDU");
        }

        if (smppLayers > 1)
        {
            problems.Add($"tshark found {smppLayers} SMPP PDUs in one segment");
        }

        return new TsharkDissection(fields, problems);
    }

    private static void Flatten(JsonElement element, List<KeyValuePair<string, string>> into)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.Object)
            {
                Flatten(property.Value, into);
            }
            else if (property.Value.ValueKind == JsonValueKind.String)
            {
                into.Add(new(property.Name, property.Value.GetString()!));
            }
            else
            {
                into.Add(new(property.Name, property.Value.ToString()));
            }
        }
    }

    private static void CollectProblems(string name, JsonElement element, List<string> problems)
    {
        if (name.StartsWith("_ws.malformed", StringComparison.Ordinal))
        {
            problems.Add($"malformed: {element}");
        }
        else if (name.StartsWith("_ws.unreassembled", StringComparison.Ordinal))
        {
            problems.Add($"PDU longer than its bytes: {element}");
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        if (name == "_ws.expert" && element.TryGetProperty("_ws.expert.severity", out var severity)
            && long.TryParse(severity.GetString(), out var level) && level >= ExpertWarning)
        {
            var message = element.TryGetProperty("_ws.expert.message", out var m) ? m.GetString() : element.ToString();
            problems.Add($"expert (severity 0x{level:x}): {message}");
            return;
        }
        foreach (var property in element.EnumerateObject())
        {
            CollectProblems(property.Name, property.Value, problems);
        }
    }

    /// <summary>A classic pcap, LINKTYPE_RAW (IPv4), one TCP segment per PDU from its own source port.</summary>
    private static class Pcap
    {
        public static byte[] Write(IReadOnlyList<ReadOnlyMemory<byte>> pdus)
        {
            using var stream = new MemoryStream();
            Span<byte> header = stackalloc byte[24];
            BinaryPrimitives.WriteUInt32LittleEndian(header, 0xa1b2c3d4);
            BinaryPrimitives.WriteUInt16LittleEndian(header[4..], 2);
            BinaryPrimitives.WriteUInt16LittleEndian(header[6..], 4);
            BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 262144);
            BinaryPrimitives.WriteUInt32LittleEndian(header[20..], 101); // LINKTYPE_RAW
            stream.Write(header);
            for (var i = 0; i < pdus.Count; i++)
            {
                WritePacket(stream, pdus[i].Span, (ushort)(40000 + i % 20000), i);
            }

            return stream.ToArray();
        }

        private static void WritePacket(MemoryStream stream, ReadOnlySpan<byte> payload, ushort sourcePort, int index)
        {
            var total = 20 + 20 + payload.Length;
            if (total > ushort.MaxValue)
            {
                throw new ArgumentException($"a PDU of {payload.Length} bytes does not fit one IPv4 packet");
            }

            var packet = new byte[total];
            var ip = packet.AsSpan(0, 20);
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)total);
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)index);
            ip[6] = 0x40; // don't fragment
            ip[8] = 64;
            ip[9] = 6; // TCP
            ip[12] = 127; ip[15] = 1;
            ip[16] = 127; ip[19] = 1;
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip));
            var tcp = packet.AsSpan(20, 20);
            BinaryPrimitives.WriteUInt16BigEndian(tcp, sourcePort);
            BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], 2775);
            BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], 1);
            BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], 1);
            tcp[12] = 5 << 4;
            tcp[13] = 0x18; // PSH, ACK
            BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
            payload.CopyTo(packet.AsSpan(40));

            Span<byte> record = stackalloc byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(1_700_000_000 + index));
            BinaryPrimitives.WriteUInt32LittleEndian(record[8..], (uint)total);
            BinaryPrimitives.WriteUInt32LittleEndian(record[12..], (uint)total);
            stream.Write(record);
            stream.Write(packet);
        }

        private static ushort Checksum(ReadOnlySpan<byte> header)
        {
            uint sum = 0;
            for (var i = 0; i < header.Length; i += 2)
            {
                sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
            }

            while (sum >> 16 != 0)
            {
                sum = (sum & 0xffff) + (sum >> 16);
            }

            return (ushort)~sum;
        }
    }
}
