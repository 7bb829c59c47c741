using Instasent.SmppAdapter.Configuration;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Instasent.SmppAdapter.Tests.Configuration;

/// <summary>Key-per-file secrets for every credential, never printed; and nothing calls out of the deployment unasked.</summary>
public sealed class SecretsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("adapter-secrets-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void RabbitMq_credentials_come_apart_from_the_uri_and_from_files()
    {
        var options = TestConfig.Options(new Dictionary<string, string?>
        {
            ["RabbitMq:Uri"] = "amqp://127.0.0.1:5672/",
            ["RabbitMq:UsernameFile"] = Secret("rabbitmq-username", "smpp-adapter\n"),
            ["RabbitMq:PasswordFile"] = Secret("rabbitmq-password", "rabbit-s3cret\r\n"),
        }).RabbitMq;

        Assert.Equal(("smpp-adapter", "rabbit-s3cret"), (options.Username, options.Password));
        Assert.DoesNotContain("s3cret", options.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_file_wins_over_the_password_key()
    {
        var options = TestConfig.Options(new Dictionary<string, string?>
        {
            ["RabbitMq:Username"] = "smpp-adapter",
            ["RabbitMq:Password"] = "from-environment",
            ["RabbitMq:PasswordFile"] = Secret("rabbitmq-password", "from-file"),
            ["Smpp:Connections:0:PasswordFile"] = Secret("smpp-password", "smpppw\n"),
        });

        Assert.Equal(("smpp-adapter", "from-file"), (options.RabbitMq.Username, options.RabbitMq.Password));
        Assert.Equal("smpppw", options.Connections[0].Password);
    }

    [Fact]
    public void Every_unreadable_secret_file_is_a_problem_of_its_own_and_no_secret_is_printed()
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?>
        {
            ["RabbitMq:Uri"] = "amqp://user:uri-s3cret@127.0.0.1/",
            ["RabbitMq:Password"] = "env-s3cret",
            ["RabbitMq:PasswordFile"] = "/nonexistent/rabbitmq-password",
            ["Smpp:Connections:0:PasswordFile"] = "/nonexistent/smpp-password",
            ["Stores:Redis:PasswordFile"] = "/nonexistent/redis-password",
        }));

        Assert.Equal(
            ["RabbitMq:PasswordFile", "Smpp:Connections:0:PasswordFile", "Stores:Redis:PasswordFile"],
            e.Problems.Select(p => p[..p.IndexOf(' ', StringComparison.Ordinal)]).Order(StringComparer.Ordinal));
        Assert.All(e.Problems, p => Assert.Contains("must name a readable file (was \"/nonexistent/", p, StringComparison.Ordinal));
        Assert.DoesNotContain("s3cret", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MassTransit_usage_telemetry_is_off_by_default()
    {
        Assert.False((await UsageTelemetryAsync(new Dictionary<string, string?>())).Enabled);
    }

    [Fact]
    public async Task MassTransit_usage_telemetry_is_on_only_when_configured()
    {
        Assert.True((await UsageTelemetryAsync(new Dictionary<string, string?> { ["Telemetry:MassTransitUsageTelemetry"] = "true" })).Enabled);
    }

    /// <summary>The options MassTransit reads before reporting usage, from the production composition (the host is built, never started).</summary>
    private static async Task<UsageTelemetryOptions> UsageTelemetryAsync(Dictionary<string, string?> overrides)
    {
        await using var host = AdapterHost.Create(TestConfig.Build(overrides));
        return host.Services.GetRequiredService<IOptions<UsageTelemetryOptions>>().Value;
    }

    private string Secret(string name, string content)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, content);
        return path;
    }
}
