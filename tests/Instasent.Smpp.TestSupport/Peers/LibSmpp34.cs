using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Instasent.Smpp.TestSupport.Peers;

/// <summary>
/// What libsmpp34 made of one PDU: <c>OK command field=value ...</c> or <c>ERR why</c>. Field names are
/// libsmpp34's (the SMPP 3.4 names); TLVs are <c>tlv.0xTTTT</c> in wire order.
/// </summary>
public sealed record Smpp34Decoded(string Command, IReadOnlyList<KeyValuePair<string, string>> Fields, string? Error)
{
    public bool Ok => Error is null;

    /// <summary>The raw value of the first <paramref name="field"/>, or null when libsmpp34 printed none.</summary>
    public string? this[string field] => Fields.FirstOrDefault(f => f.Key == field).Value;

    /// <summary>All values of <paramref name="field"/> (repeated TLVs, submit_multi destinations).</summary>
    public IEnumerable<string> All(string field) => Fields.Where(f => f.Key == field).Select(f => f.Value);

    public long Number(string field) => long.Parse(Require(field), CultureInfo.InvariantCulture);

    /// <summary>A C-Octet String field as bytes (ISO-8859-1 when read as text).</summary>
    public byte[] CString(string field) => LibSmpp34.Unescape(Require(field));

    public string Text(string field) => Encoding.Latin1.GetString(CString(field));

    /// <summary>short_message or an octet-string TLV.</summary>
    public byte[] Bytes(string field) => Convert.FromHexString(Require(field));

    private string Require(string field) =>
        this[field] ?? throw new KeyNotFoundException($"libsmpp34 printed no '{field}' for {Command}: {string.Join(' ', Fields)}");

    internal static Smpp34Decoded Parse(string line)
    {
        if (line.StartsWith("ERR ", StringComparison.Ordinal))
        {
            return new Smpp34Decoded("", [], line[4..]);
        }

        if (!line.StartsWith("OK ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"libsmpp34 tool printed '{line}'");
        }

        var parts = line[3..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var fields = parts.Skip(1).Select(p =>
        {
            var eq = p.IndexOf('=', StringComparison.Ordinal);
            return new KeyValuePair<string, string>(p[..eq], p[(eq + 1)..]);
        }).ToList();
        return new Smpp34Decoded(parts[0], fields, null);
    }
}

/// <summary>
/// Osmocom's libsmpp34 (Debian libsmpp34-dev) through tests/interop/libsmpp34/smpp34-decode.c: compiled on first
/// use with gcc (cached under the temp folder by source hash), then one long-lived process decodes
/// (<c>smpp34_unpack</c>) and packs (<c>smpp34_pack</c>) one line at a time.
/// </summary>
public sealed class LibSmpp34 : IAsyncDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);
    private static readonly SemaphoreSlim BuildLock = new(1, 1);
    private readonly PeerProcess _process;

    private LibSmpp34(PeerProcess process) => _process = process;

    public static async Task<LibSmpp34> StartAsync()
    {
        var binary = await BuildAsync();
        return new LibSmpp34(PeerProcess.Start(binary, []));
    }

    public async Task<Smpp34Decoded> DecodeAsync(ReadOnlyMemory<byte> pdu) =>
        Smpp34Decoded.Parse(await _process.RequestAsync(Convert.ToHexStringLower(pdu.Span), RequestTimeout));

    /// <summary>
    /// Packs <paramref name="command"/> from libsmpp34 field values (numbers as text, C-Octet Strings through
    /// <see cref="Escape(string)"/>, short_message and octet TLVs as hex, <c>tlv.0xTTTT</c> keys for TLVs).
    /// </summary>
    public async Task<byte[]> PackAsync(string command, params (string Field, string Value)[] fields)
    {
        var line = $"PACK {command} " + string.Join(' ', fields.Select(f => $"{f.Field}={f.Value}"));
        var answer = await _process.RequestAsync(line, RequestTimeout);
        if (!answer.StartsWith("OK ", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"libsmpp34 could not pack '{line}': {answer}");
        }

        return Convert.FromHexString(answer[3..]);
    }

    /// <summary>A C-Octet String as the tool reads it: bytes outside 0x21..0x7E and '%', '=', ':' as %XX.</summary>
    public static string Escape(string text) => Escape(Encoding.Latin1.GetBytes(text));

    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder();
        foreach (var b in bytes)
        {
            if (b is < 0x21 or > 0x7e or (byte)'%' or (byte)'=' or (byte)':')
            {
                sb.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append((char)b);
            }
        }
        return sb.ToString();
    }

    public static byte[] Unescape(string value)
    {
        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%' && i + 2 < value.Length)
            {
                bytes.Add(byte.Parse(value.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 2;
            }
            else
            {
                bytes.Add((byte)value[i]);
            }
        }
        return [.. bytes];
    }

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static async Task<string> BuildAsync()
    {
        var source = Path.Combine(InteropEnvironment.InteropDirectory, "libsmpp34", "smpp34-decode.c");
        var gcc = InteropEnvironment.RequireExecutable("gcc", "gcc");
        InteropEnvironment.RequireFile("/usr/include/libsmpp34/smpp34.h", "libsmpp34-dev");
        var hash = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(source)))[..16];
        var directory = Path.Combine(Path.GetTempPath(), "instasent-smpp-interop");
        var binary = Path.Combine(directory, $"smpp34-decode-{hash}");

        await BuildLock.WaitAsync();
        try
        {
            if (File.Exists(binary))
            {
                return binary;
            }

            Directory.CreateDirectory(directory);
            var flags = await PkgConfigAsync();
            var temporary = $"{binary}.{Environment.ProcessId}.tmp";
            List<string> arguments = ["-std=gnu11", "-O1", "-Wall", "-o", temporary, source, .. flags];
            var run = await PeerProcess.RunAsync(gcc, arguments, TimeSpan.FromSeconds(120));
            if (run.ExitCode != 0)
            {
                throw new InvalidOperationException($"gcc could not build {source}:\n{run}");
            }

            File.Move(temporary, binary, overwrite: true); // atomic: a parallel test run sees all or nothing
            return binary;
        }
        finally
        {
            BuildLock.Release();
        }
    }

    private static async Task<IReadOnlyList<string>> PkgConfigAsync()
    {
        var pkgConfig = InteropEnvironment.RequireExecutable("pkg-config", "pkg-config");
        var run = await PeerProcess.RunAsync(pkgConfig, ["--cflags", "--libs", "libsmpp34"], TimeSpan.FromSeconds(30));
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"pkg-config knows no libsmpp34: install the Debian package 'libsmpp34-dev' (ops/test.sh installs it).\n{run}");
        }

        return string.Join(' ', run.StandardOutput).Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }
}
