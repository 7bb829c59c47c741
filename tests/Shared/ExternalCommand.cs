using System.Diagnostics;

namespace Instasent.Testing;

/// <summary>
/// Runs a local program to completion, bounded in time: the ops tests' tools (docker-compose) and the integration
/// fixtures that drive servers by their own tools (rabbitmqctl, ops/lib/rabbitmq-cluster.sh), which link this file.
/// </summary>
internal static class ExternalCommand
{
    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="arguments"/> and returns its exit code and output; kills it
    /// (with its children) and throws past <paramref name="timeout"/>.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(
        string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory ?? "",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} ran longer than {timeout}");
        }
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>As <see cref="RunAsync"/>, and a non-zero exit throws naming the command, its exit code and output.</summary>
    public static async Task<string> RunCheckedAsync(string fileName, IReadOnlyList<string> arguments, TimeSpan timeout)
    {
        var (exitCode, stdout, stderr) = await RunAsync(fileName, arguments, timeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{fileName} {string.Join(' ', arguments)} exited {exitCode}: {stderr}{stdout}");
        }

        return stdout;
    }
}
