using System.Text.RegularExpressions;

namespace Instasent.SmppAdapter.Tests.Ops;

/// <summary>
/// Which metrics a PromQL expression names, and whether each one exists: an adapter metric exists when its OTel
/// instrument name is a string literal in src/**/*.cs; a RabbitMQ metric when it is on <see cref="RabbitMqMetrics"/>.
/// </summary>
internal static partial class MetricNames
{
    /// <summary>
    /// rabbitmq_prometheus metrics the alerts and dashboard may use (per-object endpoint, see
    /// https://www.rabbitmq.com/docs/prometheus). RabbitMQ's names are not in this repository, so they are listed.
    /// </summary>
    public static readonly IReadOnlySet<string> RabbitMqMetrics = new HashSet<string>
    {
        "rabbitmq_queue_messages",
        "rabbitmq_queue_messages_ready",
        "rabbitmq_queue_messages_unacked",
        "rabbitmq_queue_consumers",
    };

    private static readonly HashSet<string> Keywords =
    [
        "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset",
        "inf", "nan", "atan2",
    ];

    /// <summary>The metric names in a PromQL expression (Grafana variables allowed), without labels or functions.</summary>
    public static IReadOnlySet<string> InExpression(string expr)
    {
        var labelValues = LabelValues().Match(expr);
        if (labelValues.Success)
        {
            return new HashSet<string> { labelValues.Groups["metric"].Value };
        }

        var stripped = Strings().Replace(expr, " ");
        stripped = Matchers().Replace(stripped, " ");
        stripped = Ranges().Replace(stripped, " ");
        stripped = Grouping().Replace(stripped, " ");
        return Identifiers().Matches(stripped)
            .Where(m => !Keywords.Contains(m.Value))
            .Select(m => m.Value)
            .ToHashSet();
    }

    /// <summary>
    /// The OTel instrument behind a Prometheus name, in its Prometheus spelling: histogram series suffixes, the
    /// counter's <c>_total</c> and the unit suffix come off (smpp_client_request_duration_seconds_bucket becomes
    /// smpp_client_request_duration, the spelling of smpp.client.request.duration).
    /// </summary>
    public static string InstrumentOf(string prometheusName)
    {
        var name = prometheusName;
        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                name = name[..^suffix.Length];
                break;
            }
        }

        foreach (var suffix in new[] { "_total", "_seconds" })
        {
            if (name.EndsWith(suffix, StringComparison.Ordinal))
            {
                name = name[..^suffix.Length];
            }
        }

        return name;
    }

    /// <summary>
    /// The dotted string literals of src/**/*.cs (instrument names are such literals), keyed by their Prometheus
    /// spelling. Going from the literal to Prometheus rather than back keeps names with underscores
    /// (smpp.client.window.in_use) unambiguous.
    /// </summary>
    public static IReadOnlyDictionary<string, string> InstrumentLiteralsInSource()
    {
        var src = Repo.PathOf("src");
        var literals = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .SelectMany(f => DottedLiteral().Matches(File.ReadAllText(f)).Select(m => m.Groups["name"].Value));
        return Catalog(literals);
    }

    public static IReadOnlyDictionary<string, string> Catalog(IEnumerable<string> instrumentNames) =>
        instrumentNames.Distinct().ToDictionary(n => n.Replace('.', '_'), n => n);

    /// <summary>Null when the metric exists, otherwise why not.</summary>
    public static string? Problem(string prometheusName, IReadOnlyDictionary<string, string> instruments)
    {
        if (prometheusName.StartsWith("rabbitmq_", StringComparison.Ordinal))
        {
            return RabbitMqMetrics.Contains(prometheusName)
                ? null
                : $"{prometheusName} is not on the RabbitMQ allow-list ({string.Join(", ", RabbitMqMetrics)})";
        }

        var instrument = InstrumentOf(prometheusName);
        return instruments.ContainsKey(instrument)
            ? null
            : $"{prometheusName}: no instrument \"{instrument.Replace('_', '.')}\" (or with '_' where '.' is) " +
              "is a string literal in src/**/*.cs";
    }

    [GeneratedRegex("""label_values\(\s*(?<metric>[a-zA-Z_:][\w:]*)""")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"""(?:[^""\\]|\\.)*""|'(?:[^'\\]|\\.)*'")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    // An identifier not inside a number or duration (5m, 1e3) and not called as a function.
    [GeneratedRegex(@"(?<![\w.$])[a-zA-Z_:][\w:]*\b(?!\s*\()")]
    private static partial Regex Identifiers();

    [GeneratedRegex(@"""(?<name>[a-z][a-z0-9_]*(\.[a-z0-9_]+)+)""")]
    private static partial Regex DottedLiteral();
}
