using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Tests.Ops;
using Microsoft.Extensions.Configuration;

namespace Instasent.SmppAdapter.Tests.Configuration;

/// <summary>The appsettings sample shipped beside the service is valid configuration, key for key.</summary>
public sealed class AppSettingsSampleTests : IDisposable
{
    private const string Sample = "src/Instasent.SmppAdapter/appsettings.sample.json";
    private readonly string _directory = Directory.CreateTempSubdirectory("adapter-sample-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void The_sample_is_valid_once_its_secret_files_exist()
    {
        var secrets = SecretKeys().ToDictionary(k => k, k => (string?)Secret(k));
        var options = AdapterOptionsBinding.Load(new ConfigurationBuilder()
            .AddJsonFile(Repo.PathOf(Sample), optional: false)
            .AddInMemoryCollection(secrets)
            .Build());

        Assert.Equal(["instasent", "marketing"], options.Connections.Select(c => c.Name));
        Assert.Equal(StoreProvider.Redis, options.Stores.Provider);
        Assert.Equal("secret-of-RabbitMq:PasswordFile", options.RabbitMq.Password);
        Assert.False(options.Telemetry.MassTransitUsageTelemetry);
    }

    [Fact]
    public void Without_its_secret_files_the_sample_fails_only_on_them()
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => AdapterOptionsBinding.Load(new ConfigurationBuilder()
            .AddJsonFile(Repo.PathOf(Sample), optional: false)
            .Build()));

        Assert.Equal(SecretKeys().Order(StringComparer.Ordinal), e.Problems.Select(p => p[..p.IndexOf(' ', StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
        Assert.All(e.Problems, p => Assert.Contains("must name a readable file (was \"/run/secrets/", p, StringComparison.Ordinal));
    }

    /// <summary>The sample's keys that name a secret file.</summary>
    private static IEnumerable<string> SecretKeys() =>
        new ConfigurationBuilder().AddJsonFile(Repo.PathOf(Sample), optional: false).Build()
            .AsEnumerable()
            .Where(kv => kv.Key.EndsWith("PasswordFile", StringComparison.Ordinal))
            .Select(kv => kv.Key);

    private string Secret(string key)
    {
        var path = Path.Combine(_directory, key.Replace(':', '_'));
        File.WriteAllText(path, key.StartsWith("Smpp", StringComparison.Ordinal) ? "pw" : $"secret-of-{key}");
        return path;
    }
}
