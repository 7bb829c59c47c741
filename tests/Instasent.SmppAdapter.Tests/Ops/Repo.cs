using System.Text.RegularExpressions;
using Instasent.Testing;
using YamlDotNet.RepresentationModel;

namespace Instasent.SmppAdapter.Tests.Ops;

/// <summary>The repository the tests run from, located by walking up to the solution file.</summary>
internal static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>Every YAML document of a file, each required to be a mapping (what compose, k8s and Prometheus use).</summary>
    public static IReadOnlyList<YamlMappingNode> YamlDocuments(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents
            .Select(d => d.RootNode as YamlMappingNode
                ?? throw new InvalidDataException($"YAML document at {d.RootNode.Start} is not a mapping"))
            .ToList();
    }

    public static YamlMappingNode Yaml(string relative) => YamlDocuments(Read(relative)).Single();

    /// <summary>Runs a tool in the repository with a bounded time and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeout)
    {
        try
        {
            return await ExternalCommand.RunAsync(fileName, arguments, timeout, Root);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException(
                $"{fileName} is not installed ({e.Message}); ops/test.sh installs it (Debian package docker-compose)", e);
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Instasent.SmppAdapter.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException(
            $"Instasent.SmppAdapter.sln not found in {AppContext.BaseDirectory} or any parent directory");
    }
}

/// <summary>Small readers over YamlDotNet's representation model, failing with the path that was missing.</summary>
internal static class YamlNav
{
    public static YamlNode? Find(this YamlNode node, params string[] path)
    {
        var current = node;
        foreach (var key in path)
        {
            if (current is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out current))
            {
                return null;
            }
        }

        return current;
    }

    public static YamlNode Get(this YamlNode node, params string[] path) =>
        node.Find(path) ?? throw new KeyNotFoundException($"'{string.Join('.', path)}' is missing at {node.Start}");

    public static string Str(this YamlNode node, params string[] path) =>
        node.Get(path) is YamlScalarNode { Value: { } value }
            ? value
            : throw new InvalidDataException($"'{string.Join('.', path)}' is not a scalar at {node.Start}");

    public static string? StrOrNull(this YamlNode node, params string[] path) => (node.Find(path) as YamlScalarNode)?.Value;

    public static YamlMappingNode Map(this YamlNode node, params string[] path) =>
        node.Get(path) as YamlMappingNode
            ?? throw new InvalidDataException($"'{string.Join('.', path)}' is not a mapping at {node.Start}");

    public static IReadOnlyList<YamlNode> Seq(this YamlNode node, params string[] path) =>
        node.Find(path) switch
        {
            null => [],
            YamlSequenceNode seq => seq.Children.ToList(),
            var other => throw new InvalidDataException($"'{string.Join('.', path)}' is not a sequence at {other.Start}"),
        };

    public static IReadOnlyList<string> Strings(this YamlNode node, params string[] path) =>
        node.Seq(path).Select(n => ((YamlScalarNode)n).Value ?? "").ToList();

    /// <summary>A mapping of scalars (compose environment, ConfigMap data) as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string> Dict(this YamlNode node, params string[] path) =>
        node.Find(path) is YamlMappingNode map
            ? map.Children.ToDictionary(kv => ((YamlScalarNode)kv.Key).Value!, kv => ((YamlScalarNode)kv.Value).Value ?? "")
            : new Dictionary<string, string>();
}

/// <summary>
/// The adapter's settings as HELPERS.md fixes them ("Configuration keys of the adapter", "Telemetry names"):
/// compose, Kubernetes and the alerts are checked against these.
/// </summary>
internal static partial class AdapterSettings
{
    public const int HttpPort = 8080;
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string MetricsPath = "/metrics";
    public const string ServiceName = "instasent-smpp-adapter";

    /// <summary>DESIGN.md "Shutdown ... drains the window": the drain is bounded by 30 s.</summary>
    public const int DrainSeconds = 30;

    public static readonly string[] BindTypes = ["Transceiver", "TransmitterAndReceiver"];
    public static readonly string[] InterfaceVersions = ["3.4", "5.0"];

    /// <summary>True when an environment variable is one the adapter reads (its own keys or the OTel SDK's).</summary>
    public static bool IsKnownKey(string name) => KnownKey().IsMatch(name);

    [GeneratedRegex("""
        ^(RabbitMq__(Uri|PrefetchCount|Username|UsernameFile|PasswordFile)
        |Stores__(Provider|Redis__Configuration)
        |Http__Urls
        |Telemetry__ConsoleExporter
        |Smpp__Connections__\d+__(Name|Host|Port|SystemId|Password|PasswordFile|SystemType|BindType|InterfaceVersion
          |Sessions|WindowSize|MaxSubmitsPerSecond|EnquireLinkInterval|ResponseTimeout|ReconnectDelayMin
          |ReconnectDelayMax|BindFailureDelay|Segmentation|MessageIdFormat|UseTls|UnknownOutcome|MaxSegments
          |(Source|Destination)__(Ton|Npi|KeepPlus))
        |OTEL_[A-Z_]+)$
        """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex KnownKey();

    /// <summary>Values that must be one of an enumeration or a number, by the key's last segment.</summary>
    public static string? Problem(string key, string value)
    {
        var last = key[(key.LastIndexOf("__", StringComparison.Ordinal) + 2)..];
        return last switch
        {
            "BindType" when !BindTypes.Contains(value) => $"{key}={value} is not one of {string.Join('|', BindTypes)}",
            "InterfaceVersion" when !InterfaceVersions.Contains(value) =>
                $"{key}={value} is not one of {string.Join('|', InterfaceVersions)}",
            "Port" or "Sessions" or "WindowSize" or "MaxSegments" or "PrefetchCount" or "MaxSubmitsPerSecond"
                when !int.TryParse(value, out _) => $"{key}={value} is not an integer",
            "UseTls" or "ConsoleExporter" when !bool.TryParse(value, out _) => $"{key}={value} is not true|false",
            _ => null,
        };
    }
}
