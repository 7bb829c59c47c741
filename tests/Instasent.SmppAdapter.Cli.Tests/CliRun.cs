using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Instasent.SmppAdapter.Cli;

namespace Instasent.SmppAdapter.Cli.Tests;

/// <summary>Runs <c>smpp-adapter</c> in-process with captured output, as a shell would see it.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error, TimeSpan Elapsed)
{
    public static async Task<CliRun> Of(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var environment = new CliEnvironment(output, error, ErrorIsTerminal: false, TimeProvider.System, HandleCtrlC: false);
        var stopwatch = Stopwatch.StartNew();
        var exitCode = await CliApp.RunAsync(args, environment);
        return new CliRun(exitCode, output.ToString(), error.ToString(), stopwatch.Elapsed);
    }

    /// <summary>A loopback port nothing listens on (bound, read, released).</summary>
    public static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
