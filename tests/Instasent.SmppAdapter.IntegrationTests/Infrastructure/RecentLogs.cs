using System.Diagnostics;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

/// <summary>
/// The last <see cref="Capacity"/> distinct lines every category of the adapter wrote, each with the seconds since the
/// run began: what <see cref="AdapterOnBroker.DescribeAsync"/> prints when a wait times out (the console shows errors
/// only). A line like one of the few before it (the same text once numbers and ids are set aside: a session's reconnect
/// failing every few hundred milliseconds) is counted on that line instead of added.
/// </summary>
public sealed partial class RecentLogs : ILoggerProvider
{
    public const int Capacity = 300;
    private const int Lookback = 8;

    private readonly List<Entry> _entries = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_entries)
            {
                return _entries.Select(e => e.Repeats == 0
                    ? $"{e.First,8:F3} {e.Text}"
                    : $"{e.First,8:F3} {e.Text} [and {e.Repeats} more like it until {e.Last:F3}]").ToList();
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string text)
    {
        var now = _clock.Elapsed.TotalSeconds;
        var key = Variable().Replace(text, "#");
        lock (_entries)
        {
            for (var i = _entries.Count - 1; i >= Math.Max(0, _entries.Count - Lookback); i--)
            {
                if (_entries[i].Key == key)
                {
                    _entries[i].Repeats++;
                    _entries[i].Last = now;
                    return;
                }
            }
            _entries.Add(new Entry(text, key, now));
            if (_entries.Count > Capacity)
            {
                _entries.RemoveAt(0);
            }
        }
    }

    [GeneratedRegex("[0-9a-f]{6,}|[0-9]+(\\.[0-9]+)?")]
    private static partial Regex Variable();

    private sealed class Entry(string text, string key, double first)
    {
        public string Text { get; } = text;
        public string Key { get; } = key;
        public double First { get; } = first;
        public double Last { get; set; } = first;
        public int Repeats { get; set; }
    }

    private sealed class Logger(RecentLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                logs.Add($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
            }
        }
    }
}
