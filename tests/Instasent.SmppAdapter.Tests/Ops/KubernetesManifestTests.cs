using YamlDotNet.RepresentationModel;

namespace Instasent.SmppAdapter.Tests.Ops;

/// <summary>ops/k8s: the manifests parse, and the Deployment agrees with the adapter's settings and with itself.</summary>
public sealed class KubernetesManifestTests
{
    private const string Dir = "ops/k8s";

    private static readonly Lazy<IReadOnlyList<(string File, YamlMappingNode Doc)>> Manifests = new(() =>
        Directory.EnumerateFiles(Repo.PathOf(Dir), "*.yaml")
            .Where(f => Path.GetFileName(f) != "kustomization.yaml")
            .SelectMany(f => Repo.YamlDocuments(File.ReadAllText(f)).Select(d => (Path.GetFileName(f), d)))
            .ToList());

    private static YamlMappingNode Kind(string kind) => Assert.Single(Manifests.Value, m => m.Doc.Str("kind") == kind).Doc;

    private static YamlMappingNode PodSpec => Kind("Deployment").Map("spec", "template", "spec");

    private static YamlNode Container => Assert.Single(PodSpec.Seq("containers"));

    [Fact]
    public void Every_manifest_parses_names_its_kind_and_is_listed_in_the_kustomization()
    {
        var listed = Repo.Yaml($"{Dir}/kustomization.yaml").Strings("resources");

        Assert.Equal(Manifests.Value.Select(m => m.File).Distinct().Order(), listed.Order());
        Assert.All(Manifests.Value, m =>
        {
            Assert.False(string.IsNullOrEmpty(m.Doc.Str("apiVersion")), m.File);
            Assert.False(string.IsNullOrEmpty(m.Doc.Str("metadata", "name")), m.File);
        });
        Assert.Equal(
            ["ConfigMap", "Deployment", "NetworkPolicy", "PodDisruptionBudget", "PrometheusRule", "Secret", "Service"],
            Manifests.Value.Select(m => m.Doc.Str("kind")).Order());
    }

    [Fact]
    public void Probes_ask_the_health_endpoints_on_the_adapters_http_port()
    {
        Assert.Equal(AdapterSettings.LivePath, Container.Str("livenessProbe", "httpGet", "path"));
        Assert.Equal(AdapterSettings.ReadyPath, Container.Str("readinessProbe", "httpGet", "path"));
        Assert.Equal(AdapterSettings.HttpPort, ContainerPort(Container.Str("livenessProbe", "httpGet", "port")));
        Assert.Equal(AdapterSettings.HttpPort, ContainerPort(Container.Str("readinessProbe", "httpGet", "port")));
        if (Container.Find("startupProbe") is not null)
        {
            Assert.Equal(AdapterSettings.LivePath, Container.Str("startupProbe", "httpGet", "path"));
            Assert.Equal(AdapterSettings.HttpPort, ContainerPort(Container.Str("startupProbe", "httpGet", "port")));
        }

        var urls = new Uri(Kind("ConfigMap").Str("data", "Http__Urls"));
        Assert.Equal("0.0.0.0", urls.Host);
        Assert.Equal(AdapterSettings.HttpPort, urls.Port);
    }

    [Fact]
    public void Termination_grace_period_is_longer_than_the_drain()
    {
        var grace = int.Parse(PodSpec.Str("terminationGracePeriodSeconds"));

        Assert.True(grace > AdapterSettings.DrainSeconds, $"terminationGracePeriodSeconds {grace} <= drain {AdapterSettings.DrainSeconds}");
    }

    [Theory]
    [InlineData("Smpp__Connections__0__PasswordFile", "Smpp__Connections__0__Password")]
    [InlineData("RabbitMq__PasswordFile", "RabbitMq__Password")]
    public void Passwords_are_files_mounted_from_the_secret(string fileKey, string valueKey)
    {
        var config = Kind("ConfigMap").Dict("data");
        var secret = Kind("Secret");
        var passwordFile = config[fileKey];
        var mount = Assert.Single(Container.Seq("volumeMounts"), m => passwordFile.StartsWith(m.Str("mountPath") + "/", StringComparison.Ordinal));
        var volume = Assert.Single(PodSpec.Seq("volumes"), v => v.Str("name") == mount.Str("name"));
        var item = Assert.Single(volume.Seq("secret", "items"), i => passwordFile == $"{mount.Str("mountPath")}/{i.Str("path")}");

        Assert.Equal(secret.Str("metadata", "name"), volume.Str("secret", "secretName"));
        Assert.Contains(item.Str("key"), SecretKeys(secret));
        Assert.DoesNotContain(valueKey, config.Keys);
        Assert.DoesNotContain(valueKey, Container.Seq("env").Select(e => e.Str("name")));
        Assert.DoesNotContain("@", config["RabbitMq__Uri"]);
    }

    [Fact]
    public void Configuration_uses_only_the_adapters_keys_and_references_what_exists()
    {
        var configMap = Kind("ConfigMap");
        var config = configMap.Dict("data");
        var secret = Kind("Secret");

        Assert.All(config.Keys, key => Assert.True(AdapterSettings.IsKnownKey(key), $"ConfigMap: {key} is not a configuration key of the adapter"));
        Assert.All(config, kv => Assert.Null(AdapterSettings.Problem(kv.Key, kv.Value)));
        Assert.Equal(AdapterSettings.ServiceName, config["OTEL_SERVICE_NAME"]);
        Assert.Equal(configMap.Str("metadata", "name"), Assert.Single(Container.Seq("envFrom")).Str("configMapRef", "name"));
        Assert.All(Container.Seq("env"), env =>
        {
            Assert.True(AdapterSettings.IsKnownKey(env.Str("name")), $"env: {env.Str("name")} is not a configuration key of the adapter");
            Assert.Equal(secret.Str("metadata", "name"), env.Str("valueFrom", "secretKeyRef", "name"));
            Assert.Contains(env.Str("valueFrom", "secretKeyRef", "key"), SecretKeys(secret));
        });
    }

    [Fact]
    public void Service_and_disruption_budget_select_the_deployments_pods()
    {
        var podLabels = Kind("Deployment").Dict("spec", "template", "metadata", "labels");
        var service = Kind("Service");

        Assert.Subset(podLabels.ToHashSet(), Kind("Deployment").Dict("spec", "selector", "matchLabels").ToHashSet());
        Assert.Subset(podLabels.ToHashSet(), service.Dict("spec", "selector").ToHashSet());
        Assert.Subset(podLabels.ToHashSet(), Kind("PodDisruptionBudget").Dict("spec", "selector", "matchLabels").ToHashSet());
        Assert.Equal(AdapterSettings.HttpPort, ContainerPort(Assert.Single(service.Seq("spec", "ports")).Str("targetPort")));
    }

    [Fact]
    public void Pod_runs_as_non_root_and_is_scraped_at_the_metrics_endpoint()
    {
        var annotations = Kind("Deployment").Dict("spec", "template", "metadata", "annotations");

        Assert.Equal("true", PodSpec.Str("securityContext", "runAsNonRoot"));
        Assert.NotEqual("0", PodSpec.Str("securityContext", "runAsUser"));
        Assert.Equal("false", Container.Str("securityContext", "allowPrivilegeEscalation"));
        Assert.Equal("true", annotations["prometheus.io/scrape"]);
        Assert.Equal(AdapterSettings.HttpPort.ToString(), annotations["prometheus.io/port"]);
        Assert.Equal(AdapterSettings.MetricsPath, annotations["prometheus.io/path"]);
    }

    [Fact]
    public void Two_replicas_roll_out_one_new_pod_before_an_old_one_stops_and_one_may_be_disrupted()
    {
        var spec = Kind("Deployment").Map("spec");

        Assert.Equal("2", spec.Str("replicas"));
        Assert.Equal("RollingUpdate", spec.Str("strategy", "type"));
        Assert.Equal("0", spec.Str("strategy", "rollingUpdate", "maxUnavailable"));
        Assert.Equal("1", spec.Str("strategy", "rollingUpdate", "maxSurge"));
        Assert.Equal("1", Kind("PodDisruptionBudget").Str("spec", "maxUnavailable"));
    }

    [Fact]
    public void Replicas_share_their_state_through_redis()
    {
        var config = Kind("ConfigMap").Dict("data");

        Assert.Equal("Redis", config["Stores__Provider"]);
        Assert.False(string.IsNullOrWhiteSpace(config["Stores__Redis__Configuration"]));
    }

    [Fact]
    public void Network_policy_lets_the_adapter_reach_only_dns_broker_redis_smsc_and_collector()
    {
        var policy = Kind("NetworkPolicy").Map("spec");
        var egress = policy.Seq("egress").SelectMany(rule => rule.Seq("ports")).Select(p => $"{p.Str("port")}/{p.Str("protocol")}");

        Assert.Subset(Kind("Deployment").Dict("spec", "template", "metadata", "labels").ToHashSet(),
            policy.Dict("podSelector", "matchLabels").ToHashSet());
        Assert.Equal(["Egress", "Ingress"], policy.Strings("policyTypes").Order());
        Assert.Equal(["2775/TCP", "4317/TCP", "53/TCP", "53/UDP", "5672/TCP", "6379/TCP"], egress.Order(StringComparer.Ordinal));
        Assert.Equal(6379, Port(Kind("ConfigMap").Str("data", "Stores__Redis__Configuration")));
        Assert.Equal(4317, Port(Kind("ConfigMap").Str("data", "OTEL_EXPORTER_OTLP_ENDPOINT")));
        Assert.Equal("2775", Kind("ConfigMap").Str("data", "Smpp__Connections__0__Port"));
    }

    [Fact]
    public void Network_policy_admits_only_the_monitoring_namespace_to_the_http_port()
    {
        var rule = Assert.Single(Kind("NetworkPolicy").Seq("spec", "ingress"));
        var from = Assert.Single(rule.Seq("from"));

        Assert.Equal("monitoring", from.Str("namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"));
        Assert.Null(from.Find("ipBlock"));
        Assert.Equal(AdapterSettings.HttpPort, int.Parse(Assert.Single(rule.Seq("ports")).Str("port")));
    }

    [Fact]
    public void Prometheus_rule_has_the_same_alerts_as_the_local_prometheus()
    {
        var local = Repo.Yaml("ops/prometheus/alerts.yml").Seq("groups");
        var rule = Kind("PrometheusRule").Seq("spec", "groups");

        Assert.Equal(AlertsOf(local), AlertsOf(rule));
        Assert.Equal("monitoring.coreos.com/v1", Kind("PrometheusRule").Str("apiVersion"));
    }

    /// <summary>Each alert as one comparable line: group, name, expression, duration, labels and annotations.</summary>
    private static IReadOnlyList<string> AlertsOf(IReadOnlyList<YamlNode> groups) =>
        groups.SelectMany(g => g.Seq("rules").Select(r => string.Join(" | ",
                g.Str("name"), r.Str("alert"), r.Str("expr"), r.StrOrNull("for") ?? "",
                string.Join(",", r.Dict("labels").OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")),
                string.Join(",", r.Dict("annotations").OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")))))
            .ToList();

    /// <summary>The port of "host:port" or of a URL.</summary>
    private static int Port(string address) => int.Parse(address[(address.LastIndexOf(':') + 1)..].TrimEnd('/'));

    /// <summary>A probe or Service port, by number or by the container port's name.</summary>
    private static int ContainerPort(string port) =>
        int.TryParse(port, out var number)
            ? number
            : int.Parse(Assert.Single(Container.Seq("ports"), p => p.StrOrNull("name") == port).Str("containerPort"));

    private static IEnumerable<string> SecretKeys(YamlMappingNode secret) =>
        secret.Dict("stringData").Keys.Concat(secret.Dict("data").Keys);
}
