using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Contracts;

namespace Instasent.SmppAdapter.Tests.Ops;

/// <summary>
/// What ops/RUNBOOK.md names in code spans exists: metrics and their labels, command_status names, the fields of the
/// events, span names and configuration keys. A rename in src/ that leaves the runbook behind fails here.
/// </summary>
public sealed partial class RunbookReferencesTests
{
    private static readonly IReadOnlyList<string> Spans = CodeSpans(Repo.Read("ops/RUNBOOK.md"));

    [Fact]
    public void Every_Prometheus_metric_the_runbook_names_exists()
    {
        var instruments = MetricNames.InstrumentLiteralsInSource();
        var metrics = Spans.Where(s => PrometheusName().IsMatch(s))
            .SelectMany(Expand)
            .SelectMany(MetricNames.InExpression)
            .Where(m => !Labels.Contains(m))
            .ToHashSet();

        Assert.Contains("smpp_client_sessions_bound", metrics);
        Assert.Contains("smpp_adapter_messages_retried_total", metrics);
        var problems = metrics.Select(m => MetricNames.Problem(m, instruments)).OfType<string>().ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void Every_instrument_the_runbook_names_in_OpenTelemetry_form_exists()
    {
        var instruments = MetricNames.InstrumentLiteralsInSource().Values.ToHashSet();
        var named = Spans.Where(s => InstrumentName().IsMatch(s)).ToList();

        Assert.Contains("smpp.client.window.in_use", named);
        Assert.All(named, name => Assert.True(
            name.EndsWith(".*", StringComparison.Ordinal) ? instruments.Any(i => i.StartsWith(name[..^1], StringComparison.Ordinal)) : instruments.Contains(name),
            $"ops/RUNBOOK.md names {name}, which no instrument in src/ is"));
    }

    [Fact]
    public void Every_metric_label_and_label_value_the_runbook_names_is_one_the_adapter_records()
    {
        var source = SourceText();
        var labels = Spans.SelectMany(s => LabelMatcher().Matches(s).Select(m => m.Groups["label"].Value))
            .Concat(Spans.Where(Labels.Contains))
            .ToHashSet();
        var values = Spans.SelectMany(s => LabelMatcher().Matches(s).Select(m => m.Groups["value"].Value)).Where(v => v.Length > 0).ToHashSet();

        Assert.Contains("smpp_command_status", labels);
        // Prometheus writes the tag smpp.command_status as smpp_command_status: only the namespace's dot is ambiguous.
        Assert.All(labels, label => Assert.True(source.Contains($"\"smpp.{label["smpp_".Length..]}\"", StringComparison.Ordinal),
            $"ops/RUNBOOK.md names the label {label}, but no tag \"smpp.{label["smpp_".Length..]}\" is in src/"));
        Assert.All(values, value => Assert.True(source.Contains($"\"{value}\"", StringComparison.Ordinal),
            $"ops/RUNBOOK.md names the label value {value}, which is not a literal in src/"));
    }

    [Fact]
    public void Every_command_status_the_runbook_names_is_one_SMPP_defines()
    {
        var statuses = Spans.SelectMany(s => StatusName().Matches(s).Select(m => m.Value)).ToHashSet();

        Assert.Contains("ESME_RTHROTTLED", statuses);
        Assert.All(statuses, status => Assert.True(Enum.TryParse<CommandStatus>(status, out _), $"{status} is not a CommandStatus"));
    }

    [Fact]
    public void Every_event_field_the_runbook_names_is_a_field_of_a_public_message()
    {
        var fields = typeof(SendSms).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .ToHashSet();
        var named = Spans.Select(s => FieldName().Match(s)).Where(m => m.Success).Select(m => m.Groups["field"].Value).ToHashSet();

        Assert.Contains("commandStatusName", named);
        Assert.All(named, field => Assert.True(fields.Contains(field), $"ops/RUNBOOK.md names the field {field}, which no contract message has"));
    }

    [Fact]
    public void Every_span_name_and_configuration_key_the_runbook_names_exists_in_src()
    {
        var source = SourceText();
        var spanNames = Spans.Where(s => SpanName().IsMatch(s)).ToList();
        var keys = Spans.Where(s => s.Contains("__", StringComparison.Ordinal) && ConfigurationKey().IsMatch(s)).ToList();
        var options = Repo.Read("src/Instasent.SmppAdapter/Configuration/AdapterOptions.cs");

        Assert.Contains("smpp submit_sm", spanNames);
        Assert.Contains("Adapter__RetryBudget", keys);
        Assert.All(spanNames, name => Assert.True(source.Contains($"\"{name}\"", StringComparison.Ordinal), $"ops/RUNBOOK.md names the span {name}, which src/ does not start"));
        Assert.All(keys, key =>
        {
            var property = key[(key.LastIndexOf("__", StringComparison.Ordinal) + 2)..];
            Assert.True(Regex.IsMatch(options, $@"\b{property}\s*{{\s*get;"), $"ops/RUNBOOK.md names {key}, but no option {property} is in AdapterOptions.cs");
        });
    }

    /// <summary>Label names of the adapter's metrics, as Prometheus spells them.</summary>
    private static readonly HashSet<string> Labels = ["smpp_connection", "smpp_command_status", "smpp_receipt_status", "smpp_command", "smpp_bind_type", "smpp_direction"];

    private static IReadOnlyList<string> CodeSpans(string markdown) =>
        CodeSpan().Matches(markdown).Select(m => m.Groups["code"].Value.Trim()).ToList();

    /// <summary><c>a_{x,y}_b</c> becomes <c>a_x_b</c> and <c>a_y_b</c>; a trailing <c>_*</c> (any histogram series) becomes <c>_count</c>.</summary>
    private static IEnumerable<string> Expand(string span)
    {
        var withoutMatchers = LabelMatcher().Replace(span, "");
        var alternatives = Alternatives().Match(withoutMatchers);
        var expanded = alternatives.Success
            ? alternatives.Groups["choices"].Value.Split(',').Select(c => withoutMatchers.Replace(alternatives.Value, c, StringComparison.Ordinal))
            : [withoutMatchers];
        return expanded.Select(e => e.EndsWith("_*", StringComparison.Ordinal) ? e[..^1] + "count" : e);
    }

    private static string SourceText() => string.Join('\n', Directory.EnumerateFiles(Repo.PathOf("src"), "*.cs", SearchOption.AllDirectories)
        .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
        .Select(File.ReadAllText));

    [GeneratedRegex("`(?<code>[^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^(smpp|rabbitmq)_[a-z_]+[a-z_{},*]*(\{.*\})?$")]
    private static partial Regex PrometheusName();

    [GeneratedRegex(@"^smpp\.(client|adapter)\.[a-z_.]+(\.\*)?$")]
    private static partial Regex InstrumentName();

    [GeneratedRegex("""\{?(?<label>smpp_[a-z_]+)="(?<value>[^"]*)"\}?""")]
    private static partial Regex LabelMatcher();

    [GeneratedRegex(@"\{(?<choices>[a-z_]*(,[a-z_]*)+)\}")]
    private static partial Regex Alternatives();

    [GeneratedRegex(@"\bESME_[A-Z_]+\b")]
    private static partial Regex StatusName();

    [GeneratedRegex(@"^(?<field>[a-z]+[A-Z][A-Za-z]*)(: .*)?$")]
    private static partial Regex FieldName();

    [GeneratedRegex(@"^smpp [a-z_]+$")]
    private static partial Regex SpanName();

    [GeneratedRegex(@"^[A-Z][A-Za-z]+(__[A-Z][A-Za-z]*|__N)+$")]
    private static partial Regex ConfigurationKey();
}
