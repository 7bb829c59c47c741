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
            ["ConfigMap", "Deployment", "PodDisruptionBudget", "Secret", "Service"],
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

    [Fact]
    public void Smpp_password_is_a_file_mounted_from_the_secret()
    {
        var config = Kind("ConfigMap").Dict("data");
        var secret = Kind("Secret");
        var passwordFile = config["Smpp__Connections__0__PasswordFile"];
        var mount = Assert.Single(Container.Seq("volumeMounts"), m => passwordFile.StartsWith(m.Str("mountPath") + "/", StringComparison.Ordinal));
        var volume = Assert.Single(PodSpec.Seq("volumes"), v => v.Str("name") == mount.Str("name"));
        var item = Assert.Single(volume.Seq("secret", "items"), i => passwordFile == $"{mount.Str("mountPath")}/{i.Str("path")}");

        Assert.Equal(secret.Str("metadata", "name"), volume.Str("secret", "secretName"));
        Assert.Contains(item.Str("key"), SecretKeys(secret));
        Assert.DoesNotContain("Smpp__Connections__0__Password", config.Keys);
        Assert.DoesNotContain("Smpp__Connections__0__Password", Container.Seq("env").Select(e => e.Str("name")));
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

    /// <summary>A probe or Service port, by number or by the container port's name.</summary>
    private static int ContainerPort(string port) =>
        int.TryParse(port, out var number)
            ? number
            : int.Parse(Assert.Single(Container.Seq("ports"), p => p.StrOrNull("name") == port).Str("containerPort"));

    private static IEnumerable<string> SecretKeys(YamlMappingNode secret) =>
        secret.Dict("stringData").Keys.Concat(secret.Dict("data").Keys);
}
