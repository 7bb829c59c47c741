using System.Diagnostics;
using System.Text.Json;

namespace Instasent.SmppAdapter.Tests.Ops;

/// <summary>
/// Logs as JSON when configured (docs/configuration.md, <c>Logging__Console__FormatterName=json</c>): the adapter run as
/// its own process, as a container runs it, with nothing to connect to (so it logs its connection attempts).
/// </summary>
public sealed class JsonLogsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task With_Logging_Console_FormatterName_json_every_line_the_adapter_logs_is_one_json_object()
    {
        var dll = new[] { "Release", "Debug" }
            .Select(c => Repo.PathOf($"src/Instasent.SmppAdapter/bin/{c}/net10.0/Instasent.SmppAdapter.dll"))
            .Where(File.Exists)
            .OrderByDescending(File.GetLastWriteTimeUtc)
            .FirstOrDefault();
        Assert.True(dll is not null, "the adapter is not built: ops/test.sh builds the solution before the tests");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(dll!);
        start.Environment["Logging__Console__FormatterName"] = "json";
        start.Environment["Http__Urls"] = "http://127.0.0.1:0";
        // Nothing listens on port 1: the broker and the SMSC are unreachable, which the adapter logs.
        start.Environment["RabbitMq__Uri"] = "amqp://127.0.0.1:1/";
        start.Environment["Smpp__Connections__0__Host"] = "127.0.0.1";
        start.Environment["Smpp__Connections__0__Port"] = "1";
        start.Environment["Smpp__Connections__0__SystemId"] = "json";
        start.Environment["Smpp__Connections__0__Password"] = "json";
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        using var bound = new CancellationTokenSource(Bound);
        try
        {
            while (lines.Count < 5 && await process.StandardOutput.ReadLineAsync(bound.Token) is { } line)
            {
                lines.Add(line);
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }

        Assert.True(lines.Count >= 2, $"the adapter logged {lines.Count} lines in {Bound}: {string.Join('\n', lines)}");
        Assert.All(lines, line =>
        {
            using var entry = JsonDocument.Parse(line);
            Assert.Equal(JsonValueKind.Object, entry.RootElement.ValueKind);
            Assert.True(entry.RootElement.TryGetProperty("LogLevel", out _), line);
            Assert.True(entry.RootElement.TryGetProperty("Category", out _), line);
            Assert.True(entry.RootElement.TryGetProperty("Message", out _), line);
        });
    }
}
