using System.Net;
using System.Net.Sockets;
using Instasent.SmppAdapter.Cli;

namespace Instasent.SmppAdapter.Cli.Tests;

/// <summary>An unreachable broker is one line naming the URI (never the password) and exit code 3, within the bound.</summary>
public sealed class BrokerUnreachableTests
{
    [Fact]
    public async Task Send_to_a_port_nothing_listens_on_exits_3_at_once_naming_the_uri_without_password()
    {
        var port = CliRun.UnusedPort();

        var run = await CliRun.Of("send", "--rabbitmq", $"amqp://sms:s3cret@127.0.0.1:{port}/", "--to", "+34600000000",
            "--from", "Instasent", "--text", "hola");

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains($"Cannot reach RabbitMQ at amqp://sms@127.0.0.1:{port}/ (ConnectionRefused)", line);
        Assert.DoesNotContain("s3cret", run.Error);
        Assert.Equal("", run.Out);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(10), $"took {run.Elapsed}");
    }

    [Fact]
    public async Task Events_from_a_port_nothing_listens_on_exits_3()
    {
        var port = CliRun.UnusedPort();

        var run = await CliRun.Of("events", "--rabbitmq", $"amqp://guest:guest@127.0.0.1:{port}/");

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains($"Cannot reach RabbitMQ at amqp://guest@127.0.0.1:{port}/", run.Error);
    }

    [Fact]
    public async Task A_listener_that_never_speaks_AMQP_exits_3_once_the_connect_timeout_passes()
    {
        // Accepts TCP (so the probe passes) and then says nothing: MassTransit alone would retry forever.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var port = ((IPEndPoint)silent.LocalEndpoint).Port;

        var run = await CliRun.Of("send", "--rabbitmq", $"amqp://guest:s3cret@127.0.0.1:{port}/", "--connect-timeout", "2s",
            "--to", "+34600000000", "--from", "Instasent", "--text", "hola");

        Assert.Equal(ExitCodes.Unreachable, run.ExitCode);
        Assert.Contains($"RabbitMQ at amqp://guest@127.0.0.1:{port}/ did not accept a connection within 2 s", run.Error);
        Assert.DoesNotContain("s3cret", run.Error);
        // The bound plus the one second given to abandoning the half-started bus, plus slack for a busy machine.
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(6), $"took {run.Elapsed}");
    }
}
