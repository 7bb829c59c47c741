using System.Text.Json;
using System.Text.RegularExpressions;

namespace Instasent.SmppAdapter.Tests.Ops;

/// <summary>
/// The queue alerts and the dashboard's RabbitMQ row watch every queue the adapter owns, by the names the code
/// gives them (the constants in src/), and name no queue the adapter does not have.
/// </summary>
public sealed partial class QueueReferencesTests
{
    /// <summary>Two connection names stand for "each configured connection".</summary>
    private static readonly string[] Connections = ["instasent", "backup-2"];

    [Fact]
    public void Owned_queues_are_read_from_the_constants_in_src()
    {
        Assert.Equal(
            ["smpp-inbound-parts", "smpp-inbound-parts_error", "smpp-send-sms", "smpp-send-sms.backup-2",
                "smpp-send-sms.backup-2.high", "smpp-send-sms.backup-2.high_error", "smpp-send-sms.backup-2_error",
                "smpp-send-sms.instasent", "smpp-send-sms.instasent.high", "smpp-send-sms.instasent.high_error",
                "smpp-send-sms.instasent_error", "smpp-send-sms_error"],
            OwnedQueues().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_owned_queue_has_a_backlog_alert_and_every_error_queue_a_growth_alert()
    {
        var alerts = AlertExpressions();

        Assert.All(OwnedQueues(), queue => Assert.True(
            alerts.Any(a => a.Alert == (queue.EndsWith("_error", StringComparison.Ordinal) ? "SmppErrorQueueGrowing" : "SmppQueueBacklog")
                && Selects(a.Expr, queue)),
            $"no alert watches {queue}"));
    }

    [Fact]
    public void Every_owned_queue_is_on_a_dashboard_panel()
    {
        var panels = DashboardExpressions();

        Assert.All(OwnedQueues(), queue => Assert.True(panels.Any(p => Selects(p, queue)), $"no panel shows {queue}"));
    }

    [Fact]
    public void Every_queue_matcher_in_alerts_and_dashboard_selects_a_queue_the_adapter_owns()
    {
        var owned = OwnedQueues();
        var selectors = AlertExpressions().Select(a => a.Expr).Concat(DashboardExpressions())
            .SelectMany(e => Selector().Matches(e).Select(m => m.Value))
            .Where(s => QueueMatcher().IsMatch(s))
            .Distinct()
            .ToList();

        Assert.NotEmpty(selectors);
        Assert.All(selectors, s => Assert.True(owned.Any(q => SelectorAccepts(s, q)), $"{s} selects no queue of the adapter"));
    }

    [Fact]
    public void Selector_evaluation_follows_promql_anchoring_and_negative_matchers()
    {
        const string expr = """x{queue=~"smpp-send-sms|smpp-send-sms[.].+", queue!~".+_error"}""";

        Assert.True(Selects(expr, "smpp-send-sms.instasent"));
        Assert.False(Selects(expr, "smpp-send-sms.instasent_error"));
        Assert.False(Selects(expr, "smpp-send-sms-other"));
        Assert.False(Selects("""x{queue="smpp-send-sms"}""", "smpp-send-sms_error"));
    }

    /// <summary>The router's, each connection's two (normal and high) and the inbound queue, with their MassTransit _error queues.</summary>
    private static IReadOnlyList<string> OwnedQueues()
    {
        var router = ConstantIn("src/Instasent.SmppAdapter.Contracts/SendSms.cs", QueueNameConstant());
        var inbound = ConstantIn("src/Instasent.SmppAdapter/Inbound/InboundSmsPart.cs", QueueNameConstant());
        var connectionPrefix = ConstantIn("src/Instasent.SmppAdapter/Configuration/AdapterOptions.cs", ConnectionQueue());
        var highSuffix = ConstantIn("src/Instasent.SmppAdapter/Configuration/AdapterOptions.cs", HighQueueSuffixConstant());
        var consumed = new[] { router, inbound }
            .Concat(Connections.SelectMany(c => new[] { connectionPrefix + c, connectionPrefix + c + highSuffix }))
            .ToList();
        return consumed.Concat(consumed.Select(q => q + "_error")).ToList();
    }

    private static string ConstantIn(string file, Regex pattern)
    {
        var match = pattern.Match(Repo.Read(file));
        Assert.True(match.Success, $"{file} no longer matches {pattern}: update this test to where the queue name lives");
        return match.Groups["name"].Value;
    }

    /// <summary>True when some selector of the expression that has queue matchers accepts the queue.</summary>
    private static bool Selects(string expr, string queue) =>
        Selector().Matches(expr).Select(m => m.Value).Where(s => QueueMatcher().IsMatch(s)).Any(s => SelectorAccepts(s, queue));

    private static bool SelectorAccepts(string selector, string queue) =>
        QueueMatcher().Matches(selector).All(m =>
        {
            var value = m.Groups["value"].Value.Replace(@"\\", @"\");
            return m.Groups["op"].Value switch
            {
                "=" => queue == value,
                "!=" => queue != value,
                "=~" => Regex.IsMatch(queue, $"^(?:{value})$"),
                _ => !Regex.IsMatch(queue, $"^(?:{value})$"),
            };
        });

    private static IReadOnlyList<(string Alert, string Expr)> AlertExpressions() =>
        Repo.Yaml("ops/prometheus/alerts.yml").Seq("groups").SelectMany(g => g.Seq("rules"))
            .Select(r => (r.Str("alert"), r.Str("expr"))).ToList();

    private static IReadOnlyList<string> DashboardExpressions()
    {
        using var json = JsonDocument.Parse(Repo.Read("ops/grafana/dashboards/smpp-adapter.json"));
        return json.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .ToList();
    }

    [GeneratedRegex("""const string QueueName = "(?<name>[^"]+)";""")]
    private static partial Regex QueueNameConstant();

    [GeneratedRegex("""QueueName => \$"(?<name>[^"{]+)\{Name\}";""")]
    private static partial Regex ConnectionQueue();

    [GeneratedRegex("""const string HighQueueSuffix = "(?<name>[^"]+)";""")]
    private static partial Regex HighQueueSuffixConstant();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Selector();

    [GeneratedRegex("""\bqueue\s*(?<op>=~|!~|!=|=)\s*"(?<value>(?:[^"\\]|\\.)*)" """, RegexOptions.IgnorePatternWhitespace)]
    private static partial Regex QueueMatcher();
}
