using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Instasent.SmppAdapter.Tests.Ops;

/// <summary>
/// docker-compose.yml, as Debian's <c>docker-compose config</c> resolves it (no Docker engine needed), against the
/// adapter's settings and the ops configuration it mounts.
/// </summary>
public sealed partial class ComposeTests(ComposeTests.ResolvedCompose compose) : IClassFixture<ComposeTests.ResolvedCompose>
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Credentials as a user's .env gives them: distinct values, so each one can be traced to where it is used.</summary>
    private static readonly IReadOnlyDictionary<string, string> Credentials = new Dictionary<string, string>
    {
        ["RABBITMQ_USER"] = "broker-user",
        ["RABBITMQ_PASSWORD"] = "broker-pass-4f1c",
        ["GRAFANA_ADMIN_USER"] = "grafana-user",
        ["GRAFANA_ADMIN_PASSWORD"] = "grafana-pass-9d2e",
    };

    /// <summary>The output of <c>docker-compose config</c> with <see cref="Credentials"/> as the .env, produced once for the class.</summary>
    public sealed class ResolvedCompose : IAsyncLifetime
    {
        public YamlMappingNode Services { get; private set; } = new();

        public YamlMappingNode Root { get; private set; } = new();

        public string EnvFile { get; } = Path.Combine(Path.GetTempPath(), $"smpp-compose-{Guid.NewGuid():N}.env");

        public string EmptyEnvFile { get; } = Path.Combine(Path.GetTempPath(), $"smpp-compose-{Guid.NewGuid():N}-empty.env");

        public async Task InitializeAsync()
        {
            await File.WriteAllLinesAsync(EnvFile, Credentials.Select(kv => $"{kv.Key}={kv.Value}"));
            await File.WriteAllTextAsync(EmptyEnvFile, "");
            var (exit, stdout, stderr) = await Config(EnvFile);
            if (exit != 0)
            {
                throw new InvalidOperationException($"docker-compose config exited {exit}: {stderr}");
            }

            Root = Repo.YamlDocuments(stdout).Single();
            Services = Root.Map("services");
        }

        public Task DisposeAsync()
        {
            File.Delete(EnvFile);
            File.Delete(EmptyEnvFile);
            return Task.CompletedTask;
        }

        public static Task<(int ExitCode, string Stdout, string Stderr)> Config(string envFile, params string[] extra) =>
            Repo.RunAsync("docker-compose", ["-f", "docker-compose.yml", "--env-file", envFile, "config", .. extra], ToolTimeout);
    }

    private YamlMappingNode Service(string name) => compose.Services.Map(name);

    private IReadOnlyDictionary<string, string> AdapterEnv => Service("adapter").Dict("environment");

    [Fact]
    public async Task Compose_file_passes_docker_compose_config()
    {
        var (exit, _, stderr) = await ResolvedCompose.Config(compose.EnvFile, "-q");

        Assert.True(exit == 0, $"docker-compose config -q exited {exit}: {stderr}");
    }

    [Fact]
    public async Task Compose_refuses_to_start_without_the_credentials_of_the_env_file()
    {
        var (exit, _, stderr) = await ResolvedCompose.Config(compose.EmptyEnvFile, "-q");

        Assert.NotEqual(0, exit);
        Assert.Matches("(RABBITMQ|GRAFANA_ADMIN)_[A-Z]+ in .env", stderr);
    }

    [Fact]
    public void Env_example_names_every_variable_compose_requires_and_env_is_not_committed()
    {
        var required = RequiredVariable().Matches(Repo.Read("docker-compose.yml")).Select(m => m.Groups["name"].Value).ToHashSet();
        var example = Repo.Read(".env.example").Split('\n')
            .Where(l => l.Contains('=') && !l.TrimStart().StartsWith('#'))
            .Select(l => l[..l.IndexOf('=')].Trim())
            .ToHashSet();

        Assert.Equal(Credentials.Keys.Order(), required.Order());
        Assert.Superset(required, example);
        Assert.Contains(".env", Repo.Read(".gitignore").Split('\n').Select(l => l.Trim()));
    }

    [Fact]
    public void Every_published_port_is_bound_to_loopback_only()
    {
        var published = ServicesByName()
            .SelectMany(s => s.Service.Seq("ports").Select(p => (s.Name, Port: p)))
            .ToList();

        Assert.NotEmpty(published);
        Assert.All(published, p => Assert.True(HostIp(p.Port) == "127.0.0.1", $"{p.Name}: port {p.Port} is published on every interface"));
    }

    [Fact]
    public void Broker_uses_the_env_files_user_and_the_adapter_logs_in_with_it()
    {
        var broker = Service("rabbitmq").Dict("environment");
        var uri = new Uri(AdapterEnv["RabbitMq__Uri"]);

        Assert.Equal(Credentials["RABBITMQ_USER"], broker["RABBITMQ_DEFAULT_USER"]);
        Assert.Equal(Credentials["RABBITMQ_PASSWORD"], broker["RABBITMQ_DEFAULT_PASS"]);
        Assert.Equal($"{Credentials["RABBITMQ_USER"]}:{Credentials["RABBITMQ_PASSWORD"]}", uri.UserInfo);
        Assert.DoesNotMatch(@"(?m)^loopback_users(\.guest)?\s*=\s*(false|none)", Repo.Read("ops/rabbitmq/rabbitmq.conf"));
    }

    [Fact]
    public void Nothing_in_the_resolved_stack_uses_the_guest_account()
    {
        var yaml = new YamlStream(new YamlDocument(compose.Root));
        using var text = new StringWriter();
        yaml.Save(text, assignAnchors: false);

        Assert.DoesNotContain("guest", text.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Grafana_asks_for_the_env_files_admin_and_has_no_anonymous_access()
    {
        var env = Service("grafana").Dict("environment");

        Assert.Equal(Credentials["GRAFANA_ADMIN_USER"], env["GF_SECURITY_ADMIN_USER"]);
        Assert.Equal(Credentials["GRAFANA_ADMIN_PASSWORD"], env["GF_SECURITY_ADMIN_PASSWORD"]);
        Assert.Equal("false", env["GF_AUTH_ANONYMOUS_ENABLED"]);
        Assert.DoesNotContain("GF_AUTH_ANONYMOUS_ORG_ROLE", env.Keys);
        Assert.DoesNotContain("GF_AUTH_DISABLE_LOGIN_FORM", env.Keys);
    }

    [Fact]
    public void Simulator_control_api_listens_on_every_interface_of_its_container_and_is_published()
    {
        var args = Service("simulator").Strings("command");

        Assert.Equal("0.0.0.0", Argument(args, "--control-host"));
        Assert.Contains(int.Parse(Argument(args, "--control-port")), TargetPorts("simulator"));
    }

    [Fact]
    public void Redis_is_append_only_health_checked_and_not_published()
    {
        var redis = Service("redis");
        var args = redis.Strings("command");

        Assert.Equal("yes", Argument(args, "--appendonly"));
        Assert.Contains("redis-cli ping", HealthCheck("redis"));
        Assert.Empty(redis.Seq("ports"));
        Assert.Contains("/data", Service("redis").Seq("volumes").Select(v => v is YamlMappingNode map ? map.Str("target") : ((YamlScalarNode)v).Value!.Split(':')[1]));
    }

    [Fact]
    public void Adapter_keeps_its_state_in_the_redis_of_the_stack_once_it_is_healthy()
    {
        Assert.Equal("Redis", AdapterEnv["Stores__Provider"]);
        Assert.Equal("redis:6379", AdapterEnv["Stores__Redis__Configuration"]);
        Assert.Equal("service_healthy", Service("adapter").Str("depends_on", "redis", "condition"));
    }

    [Fact]
    public void Stack_has_broker_simulator_adapter_collector_tracing_and_prometheus()
    {
        var names = compose.Services.Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToHashSet();

        Assert.Superset(new HashSet<string?> { "rabbitmq", "simulator", "adapter", "otel-collector", "jaeger", "prometheus" }, names);
    }

    [Fact]
    public void Every_pulled_image_is_pinned_to_a_version()
    {
        foreach (var (name, service) in ServicesByName().Where(s => s.Service.Find("build") is null))
        {
            var image = service.Str("image");
            var tag = image.Contains(':') ? image[(image.LastIndexOf(':') + 1)..] : "";
            Assert.True(Regex.IsMatch(tag, @"^v?\d"), $"{name}: image {image} is not pinned");
        }
    }

    [Theory]
    [InlineData("adapter", "src/Instasent.SmppAdapter/Dockerfile", "Instasent.SmppAdapter")]
    [InlineData("simulator", "src/Instasent.SmppAdapter.Simulator/Dockerfile", "Instasent.SmppAdapter.Simulator")]
    public void Built_service_publishes_its_project_on_the_aspnet_runtime_as_a_non_root_user(
        string service, string dockerfile, string project)
    {
        Assert.Equal(Repo.Root, Service(service).Str("build", "context"));
        Assert.Equal(dockerfile, Service(service).Str("build", "dockerfile"));

        var text = Repo.Read(dockerfile);
        Assert.Matches(@"(?m)^FROM mcr\.microsoft\.com/dotnet/sdk:10\.0 AS build$", text);
        Assert.Matches(@"(?m)^FROM mcr\.microsoft\.com/dotnet/aspnet:10\.0$", text);
        Assert.Contains($"dotnet publish src/{project}/{project}.csproj", text);
        Assert.True(File.Exists(Repo.PathOf($"src/{project}/{project}.csproj")), $"src/{project}/{project}.csproj is missing");
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{project}.dll\"]", text);

        // The last USER wins; it must come after the last FROM and not be root.
        var lastFrom = text.LastIndexOf("\nFROM ", StringComparison.Ordinal);
        var user = Regex.Matches(text[lastFrom..], @"(?m)^USER (\S+)$").LastOrDefault();
        Assert.NotNull(user);
        Assert.DoesNotMatch("^(root|0)(:.*)?$", user.Groups[1].Value);
    }

    [Fact]
    public void Adapter_environment_uses_only_the_adapters_configuration_keys_with_valid_values()
    {
        var env = AdapterEnv;

        Assert.All(env.Keys, key => Assert.True(AdapterSettings.IsKnownKey(key), $"adapter: {key} is not a configuration key of the adapter"));
        Assert.All(env, kv => Assert.Null(AdapterSettings.Problem(kv.Key, kv.Value)));
        Assert.Equal(AdapterSettings.ServiceName, env["OTEL_SERVICE_NAME"]);
    }

    [Fact]
    public void Adapter_binds_to_the_simulator_with_an_account_the_simulator_has()
    {
        var env = AdapterEnv;
        var args = Service("simulator").Strings("command");

        Assert.Equal("simulator", env["Smpp__Connections__0__Host"]);
        Assert.Equal(Argument(args, "--port"), env["Smpp__Connections__0__Port"]);
        Assert.Equal("0.0.0.0", Argument(args, "--host"));
        Assert.Contains(
            $"{env["Smpp__Connections__0__SystemId"]}:{env["Smpp__Connections__0__Password"]}",
            Arguments(args, "--account"));
        Assert.Contains(int.Parse(Argument(args, "--port")), TargetPorts("simulator"));
        Assert.Contains(int.Parse(Argument(args, "--control-port")), TargetPorts("simulator"));
        Assert.Equal("service_healthy", Service("adapter").Str("depends_on", "simulator", "condition"));
        Assert.Contains($"/dev/tcp/127.0.0.1/{Argument(args, "--port")}", HealthCheck("simulator"));
    }

    [Fact]
    public void Adapter_uses_the_broker_of_the_stack_once_it_is_healthy()
    {
        var uri = new Uri(AdapterEnv["RabbitMq__Uri"]);

        Assert.Equal("amqp", uri.Scheme);
        Assert.Equal("rabbitmq", uri.Host);
        Assert.Contains(uri.Port == -1 ? 5672 : uri.Port, TargetPorts("rabbitmq"));
        Assert.Equal("service_healthy", Service("adapter").Str("depends_on", "rabbitmq", "condition"));
        Assert.Contains("rabbitmq-diagnostics", HealthCheck("rabbitmq"));
    }

    [Fact]
    public void Adapter_serves_http_on_every_interface_of_the_published_port_and_its_health_check_asks_it()
    {
        var urls = new Uri(AdapterEnv["Http__Urls"]);

        Assert.Equal("0.0.0.0", urls.Host);
        Assert.Equal(AdapterSettings.HttpPort, urls.Port);
        Assert.Contains(AdapterSettings.HttpPort, TargetPorts("adapter"));
        var check = HealthCheck("adapter");
        Assert.Contains($"/dev/tcp/127.0.0.1/{AdapterSettings.HttpPort}", check);
        Assert.True(check.Contains(AdapterSettings.ReadyPath) || check.Contains(AdapterSettings.LivePath), check);
    }

    [Fact]
    public void Adapter_is_given_longer_to_stop_than_the_drain()
    {
        var grace = Service("adapter").Str("stop_grace_period");

        Assert.True(Seconds(grace) > AdapterSettings.DrainSeconds, $"stop_grace_period {grace} <= drain {AdapterSettings.DrainSeconds}s");
    }

    [Fact]
    public void Adapter_exports_otlp_to_a_receiver_of_the_collector()
    {
        var endpoint = new Uri(AdapterEnv["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var protocol = AdapterEnv.GetValueOrDefault("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc");
        var collector = CollectorConfig();
        var receiver = collector.Str("receivers", "otlp", "protocols", protocol == "grpc" ? "grpc" : "http", "endpoint");

        Assert.Equal("otel-collector", endpoint.Host);
        Assert.Equal(Port(receiver), endpoint.Port);
        Assert.Equal("service_started", Service("adapter").Str("depends_on", "otel-collector", "condition"));
    }

    [Fact]
    public void Collector_sends_traces_to_jaeger_and_exposes_metrics_where_prometheus_scrapes()
    {
        var collector = CollectorConfig();
        var traceExporter = Assert.Single(collector.Strings("service", "pipelines", "traces", "exporters"));
        var jaeger = collector.Str("exporters", traceExporter, "endpoint");
        var prometheusExporter = collector.Str("exporters", "prometheus", "endpoint");

        Assert.StartsWith("otlp", traceExporter);
        Assert.Equal("jaeger:4317", jaeger);
        Assert.Contains("jaeger", compose.Services.Children.Keys.Select(k => ((YamlScalarNode)k).Value));
        Assert.Contains("prometheus", collector.Strings("service", "pipelines", "metrics", "exporters"));
        Assert.Contains($"otel-collector:{Port(prometheusExporter)}", ScrapeTargets("otel-collector"));
    }

    [Fact]
    public void Prometheus_loads_the_alert_rules_and_scrapes_rabbitmq_per_queue()
    {
        var prometheus = Service("prometheus");
        var configPath = Assert.Single(prometheus.Strings("command"), a => a.StartsWith("--config.file=", StringComparison.Ordinal));
        var mounts = Mounts("prometheus");

        Assert.Equal("ops/prometheus/prometheus.yml", mounts[configPath["--config.file=".Length..]]);
        Assert.All(Repo.Yaml("ops/prometheus/prometheus.yml").Strings("rule_files"),
            rules => Assert.Equal("ops/prometheus/alerts.yml", mounts[rules]));

        var rabbit = ScrapeJob("rabbitmq");
        Assert.Equal("/metrics/per-object", rabbit.Str("metrics_path"));
        Assert.Equal(["rabbitmq:15692"], rabbit.Seq("static_configs").SelectMany(c => c.Strings("targets")));
        Assert.Contains(15692, TargetPorts("rabbitmq"));
        Assert.Equal("ops/rabbitmq/enabled_plugins", Mounts("rabbitmq")["/etc/rabbitmq/enabled_plugins"]);
        Assert.Contains("rabbitmq_prometheus", Repo.Read("ops/rabbitmq/enabled_plugins"));
    }

    [Fact]
    public void Grafana_provisions_the_dashboard_and_the_prometheus_data_source()
    {
        var mounts = Mounts("grafana");
        var provider = Assert.Single(Repo.Yaml("ops/grafana/provisioning/dashboards/smpp-adapter.yml").Seq("providers"));
        var source = Assert.Single(Repo.Yaml("ops/grafana/provisioning/datasources/prometheus.yml").Seq("datasources"));

        Assert.Equal("ops/grafana/provisioning", mounts["/etc/grafana/provisioning"]);
        Assert.Equal("ops/grafana/dashboards", mounts[provider.Str("options", "path")]);
        Assert.Equal("http://prometheus:9090", source.Str("url"));
        Assert.Contains(9090, TargetPorts("prometheus"));
    }

    private IEnumerable<(string Name, YamlMappingNode Service)> ServicesByName() =>
        compose.Services.Children.Select(kv => (((YamlScalarNode)kv.Key).Value!, (YamlMappingNode)kv.Value));

    private static YamlMappingNode CollectorConfig() => Repo.Yaml("ops/otel/collector.yaml");

    private static YamlNode ScrapeJob(string job) =>
        Repo.Yaml("ops/prometheus/prometheus.yml").Seq("scrape_configs").Single(c => c.Str("job_name") == job);

    private static IEnumerable<string> ScrapeTargets(string job) =>
        ScrapeJob(job).Seq("static_configs").SelectMany(c => c.Strings("targets"));

    /// <summary>Container ports, from the short ("8080:8080") or the long ({published, target}) form.</summary>
    private IReadOnlyList<int> TargetPorts(string service) =>
        Service(service).Seq("ports").Select(p => p is YamlMappingNode map
                ? int.Parse(map.Str("target"))
                : int.Parse(((YamlScalarNode)p).Value!.Split(':')[^1].Split('/')[0]))
            .ToList();

    /// <summary>Bind mounts as container path → source path relative to the repository root.</summary>
    private IReadOnlyDictionary<string, string> Mounts(string service) =>
        Service(service).Seq("volumes").Select(v => v is YamlMappingNode map
                ? (Target: map.Str("target"), Source: map.Str("source"))
                : (Target: ((YamlScalarNode)v).Value!.Split(':')[1], Source: ((YamlScalarNode)v).Value!.Split(':')[0]))
            .ToDictionary(m => m.Target, m => Path.GetRelativePath(Repo.Root, m.Source).Replace('\\', '/'));

    /// <summary>The host address of a published port ("127.0.0.1:8080:8080/tcp" or {host_ip, ...}); "" for every interface.</summary>
    private static string HostIp(YamlNode port)
    {
        if (port is YamlMappingNode map)
        {
            return map.StrOrNull("host_ip") ?? "";
        }

        var parts = ((YamlScalarNode)port).Value!.Split(':');
        return parts.Length == 3 ? parts[0] : "";
    }

    private string HealthCheck(string service) => string.Join(' ', Service(service).Strings("healthcheck", "test"));

    private static string Argument(IReadOnlyList<string> args, string name) => Assert.Single(Arguments(args, name));

    private static IEnumerable<string> Arguments(IReadOnlyList<string> args, string name) =>
        args.Select((a, i) => (a, i)).Where(x => x.a == name && x.i + 1 < args.Count).Select(x => args[x.i + 1]);

    private static int Port(string endpoint) => int.Parse(endpoint[(endpoint.LastIndexOf(':') + 1)..]);

    private static double Seconds(string duration)
    {
        var match = DurationPart().Matches(duration);
        Assert.True(match.Count > 0 && string.Concat(match.Select(m => m.Value)) == duration, $"'{duration}' is not a compose duration");
        return match.Sum(m => double.Parse(m.Groups[1].Value) * m.Groups[2].Value switch
        {
            "h" => 3600, "m" => 60, "s" => 1, "ms" => 0.001, _ => 0.000001,
        });
    }

    [GeneratedRegex(@"\$\{(?<name>[A-Z_]+):\?")]
    private static partial Regex RequiredVariable();

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(h|ms|m|s|us)")]
    private static partial Regex DurationPart();
}
