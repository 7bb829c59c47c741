using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace Instasent.SmppAdapter.Cli;

/// <summary><c>sessions</c>: the adapter's pool (<c>GET /sessions</c>) as a table, or one JSON object per session.</summary>
internal sealed class SessionsCommand : Command
{
    static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(10);

    static readonly string[] Headers = ["CONNECTION", "SESSION", "BIND", "STATE", "WINDOW", "SMSC", "BOUND SINCE"];

    readonly GlobalOptions _global;
    readonly CliEnvironment _environment;

    public SessionsCommand(GlobalOptions global, CliEnvironment environment)
        : base("sessions", "Show the adapter's SMPP sessions and their state (GET /sessions on its HTTP port)")
    {
        _global = global;
        _environment = environment;
        SetAction(RunAsync);
    }

    async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var adapter = parseResult.GetValue(_global.AdapterUrl)!;
        var url = new Uri(adapter.ToString().TrimEnd('/') + "/sessions");
        var terminal = new Terminal(_environment, parseResult.GetValue(_global.Json));

        using var http = new HttpClient { Timeout = RequestTimeout };
        string body;
        try
        {
            using var response = await http.GetAsync(url, cancellationToken).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                terminal.Note($"The adapter at {url} answered {(int)response.StatusCode} {response.ReasonPhrase}.");
                return ExitCodes.Failed;
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var why = ex is TaskCanceledException ? $"no answer within {RequestTimeout.TotalSeconds:0} s" : ex.Message;
            terminal.Note($"Cannot reach the adapter at {url} ({why}). Is it running? Point at its HTTP address with --adapter-url.");
            return ExitCodes.Unreachable;
        }

        try
        {
            using var sessions = JsonDocument.Parse(body);
            if (sessions.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new JsonException($"expected a JSON array, got {sessions.RootElement.ValueKind}");
            }

            var lines = terminal.Json
                ? sessions.RootElement.EnumerateArray().Select(s => JsonSerializer.Serialize(s))
                : Table(sessions.RootElement, _environment.Time.GetUtcNow());
            foreach (var line in lines)
            {
                terminal.Result(line);
            }
        }
        catch (JsonException ex)
        {
            terminal.Note($"The adapter at {url} answered something that is not a list of sessions: {ex.Message}");
            return ExitCodes.Failed;
        }

        return ExitCodes.Ok;
    }

    /// <summary>The sessions as aligned columns under a header; "no sessions" when the pool is empty.</summary>
    public static IReadOnlyList<string> Table(JsonElement sessions, DateTimeOffset now)
    {
        var rows = sessions.EnumerateArray().Select(s => new[]
        {
            Text(s, "connection"),
            Text(s, "sessionId"),
            Text(s, "bindType"),
            Text(s, "state"),
            $"{Text(s, "windowInUse")}/{Text(s, "windowSize")}",
            s.TryGetProperty("host", out _) ? $"{Text(s, "host")}:{Text(s, "port")}" : "-",
            BoundSince(s, now),
        }).ToList();
        if (rows.Count == 0)
        {
            return ["no sessions (the adapter has no SMPP connection configured, or has not started any yet)"];
        }

        var widths = Headers.Select((header, column) => rows.Max(row => row[column].Length) is var widest && widest > header.Length ? widest : header.Length).ToArray();
        return [Row(Headers, widths), .. rows.Select(row => Row(row, widths))];
    }

    static string Row(IReadOnlyList<string> cells, int[] widths) =>
        string.Join("  ", cells.Select((cell, column) => cell.PadRight(widths[column]))).TrimEnd();

    /// <summary>A property as text whatever its JSON type (string, number, enum as number), "-" when absent or null.</summary>
    static string Text(JsonElement session, string name) =>
        !session.TryGetProperty(name, out var value) || value.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined ? "-"
        : value.ValueKind == JsonValueKind.String ? value.GetString()!
        : value.GetRawText();

    static string BoundSince(JsonElement session, DateTimeOffset now)
    {
        if (!session.TryGetProperty("boundAt", out var value) || value.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var boundAt))
        {
            return "-";
        }

        return $"{boundAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z ({Age(now - boundAt)})";
    }

    static string Age(TimeSpan age) => age switch
    {
        { TotalSeconds: < 0 } => "just now",
        { TotalMinutes: < 1 } => $"{age.Seconds}s",
        { TotalHours: < 1 } => $"{age.Minutes}m{age.Seconds:00}s",
        { TotalDays: < 1 } => $"{age.Hours}h{age.Minutes:00}m",
        _ => $"{(int)age.TotalDays}d{age.Hours:00}h",
    };
}
