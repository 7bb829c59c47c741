using System.Diagnostics;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

/// <summary>Runs a local program to completion, bounded in time, for the fixtures that drive servers by their tools.</summary>
internal static class ExternalCommand
{
    /// <summary>
    /// Runs <paramref name="path"/> with <paramref name="arguments"/> and returns its standard output; throws naming the
    /// command, its exit code and output when it fails, and kills it (with its children) past <paramref name="timeout"/>.
    /// </summary>
    public static async Task<string> RunAsync(string path, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(path) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var command = $"{path} {string.Join(' ', start.ArgumentList)}";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {path}");
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
            throw new TimeoutException($"{command} did not finish within {timeout.TotalSeconds} s");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{command} exited {process.ExitCode}: {await stderr}{await stdout}");
        return await stdout;
    }
}
