using System.Text.Json;

namespace Instasent.SmppAdapter.Tests.Ops;

/// <summary>
/// Alerts and dashboard panels only query metrics that exist: the adapter's instruments (string literals in src/)
/// and an allow-list of RabbitMQ's. These fail while the instruments are not yet in src/.
/// </summary>
public sealed class MetricReferencesTests
{
    private const string AlertsFile = "ops/prometheus/alerts.yml";
    private const string DashboardFile = "ops/grafana/dashboards/smpp-adapter.json";

    public static TheoryData<string> Alerts()
    {
        var data = new TheoryData<string>();
        foreach (var (alert, _) in AlertRules())
        {
            data.Add(alert);
        }

        return data;
    }

    public static TheoryData<string> Panels()
    {
        var data = new TheoryData<string>();
        // One row per panel (a panel with several queries is checked whole; a repeated row would be skipped by xUnit).
        foreach (var panel in DashboardQueries().Select(q => q.Panel).Distinct(StringComparer.Ordinal))
        {
            data.Add(panel);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Alerts))]
    public void Alert_queries_only_metrics_that_exist(string alert)
    {
        var expr = AlertRules().Single(r => r.Alert == alert).Expr;
        var metrics = MetricNames.InExpression(expr);

        Assert.NotEmpty(metrics);
        AssertAllExist(metrics, MetricNames.InstrumentLiteralsInSource());
    }

    [Theory]
    [MemberData(nameof(Panels))]
    public void Dashboard_panel_queries_only_metrics_that_exist(string panel)
    {
        var instruments = MetricNames.InstrumentLiteralsInSource();
        var metrics = DashboardQueries().Where(q => q.Panel == panel).SelectMany(q => MetricNames.InExpression(q.Expr)).ToHashSet();

        Assert.NotEmpty(metrics);
        AssertAllExist(metrics, instruments);
    }

    [Fact]
    public void Every_alert_has_a_severity_a_summary_and_a_runbook_section()
    {
        var runbook = Repo.Read("ops/RUNBOOK.md").Split('\n').Select(l => l.TrimEnd()).ToHashSet();
        var rules = Repo.Yaml(AlertsFile).Seq("groups").SelectMany(g => g.Seq("rules")).ToList();

        Assert.NotEmpty(rules);
        foreach (var rule in rules)
        {
            var alert = rule.Str("alert");
            Assert.Contains(rule.Str("labels", "severity"), new[] { "critical", "warning" });
            Assert.False(string.IsNullOrWhiteSpace(rule.Str("annotations", "summary")), $"{alert} has no summary");
            Assert.EndsWith($"RUNBOOK.md#{alert.ToLowerInvariant()}", rule.Str("annotations", "runbook_url"));
            Assert.True(runbook.Contains($"## {alert}"), $"ops/RUNBOOK.md has no '## {alert}' section");
        }
    }

    [Fact]
    public void Metric_check_rejects_a_misspelt_instrument_and_accepts_the_exported_forms()
    {
        var instruments = MetricNames.Catalog(
            ["smpp.client.sessions.bound", "smpp.client.window.in_use", "smpp.client.pdus", "smpp.adapter.receipt.lag"]);

        Assert.Null(MetricNames.Problem("smpp_client_sessions_bound", instruments));
        Assert.Null(MetricNames.Problem("smpp_client_window_in_use", instruments));
        Assert.Null(MetricNames.Problem("smpp_client_pdus_total", instruments));
        Assert.Null(MetricNames.Problem("smpp_adapter_receipt_lag_seconds_bucket", instruments));
        Assert.Null(MetricNames.Problem("smpp_adapter_receipt_lag_seconds_count", instruments));
        Assert.Null(MetricNames.Problem("rabbitmq_queue_messages_ready", instruments));

        Assert.NotNull(MetricNames.Problem("smpp_client_sesions_bound", instruments));
        Assert.NotNull(MetricNames.Problem("smpp_client_pdu_total", instruments));
        Assert.NotNull(MetricNames.Problem("smpp_adapter_receipt_lags_seconds_bucket", instruments));
        Assert.NotNull(MetricNames.Problem("rabbitmq_queue_mesages_ready", instruments));
    }

    [Fact]
    public void Metric_extraction_skips_labels_functions_keywords_and_grafana_variables()
    {
        const string expr = """
            histogram_quantile(0.95, sum by (smpp_connection, le) (
              rate(smpp_adapter_receipt_lag_seconds_bucket{smpp_connection=~"$connection"}[$__rate_interval])))
            / on(smpp_connection) group_left sum(smpp_client_window_size) > 1e3
            or on() absent(smpp_client_sessions_bound offset 5m)
            unless max by (queue) (rabbitmq_queue_messages_ready{queue="smpp-send-sms_error"})
            """;

        Assert.Equal(
            ["rabbitmq_queue_messages_ready", "smpp_adapter_receipt_lag_seconds_bucket", "smpp_client_sessions_bound",
                "smpp_client_window_size"],
            MetricNames.InExpression(expr).Order());
        Assert.Equal(["smpp_client_sessions_bound"],
            MetricNames.InExpression("label_values(smpp_client_sessions_bound, smpp_connection)"));
    }

    private static void AssertAllExist(IEnumerable<string> metrics, IReadOnlyDictionary<string, string> instruments)
    {
        var problems = metrics.Select(m => MetricNames.Problem(m, instruments)).OfType<string>().ToList();
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static IEnumerable<(string Alert, string Expr)> AlertRules() =>
        Repo.Yaml(AlertsFile).Seq("groups")
            .SelectMany(g => g.Seq("rules"))
            .Select(r => (r.Str("alert"), r.Str("expr")));

    private static IEnumerable<(string Panel, string Expr)> DashboardQueries()
    {
        using var json = JsonDocument.Parse(Repo.Read(DashboardFile));
        var root = json.RootElement;
        var queries = new List<(string, string)>();
        foreach (var panel in root.GetProperty("panels").EnumerateArray())
        {
            if (!panel.TryGetProperty("targets", out var targets))
            {
                continue;
            }

            var title = panel.GetProperty("title").GetString()!;
            queries.AddRange(targets.EnumerateArray().Select(t => (title, t.GetProperty("expr").GetString()!)));
        }

        foreach (var variable in root.GetProperty("templating").GetProperty("list").EnumerateArray())
        {
            queries.Add(($"variable {variable.GetProperty("name").GetString()}",
                variable.GetProperty("definition").GetString()!));
        }

        return queries;
    }
}
