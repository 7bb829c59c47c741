using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

/// <summary>
/// The formatted lines one logger category writes at <paramref name="minimum"/> or above, for a test that asserts what
/// was said (the host's own filters still apply: raise the category's level in its configuration when it is lower).
/// </summary>
public sealed class CapturedLogs(string category, LogLevel minimum = LogLevel.Trace) : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly LogLevel _minimum = minimum;

    public IReadOnlyList<string> Lines => _lines.ToArray();

    public ILogger CreateLogger(string categoryName) => categoryName == category ? new Logger(this) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLogs logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= logs._minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                logs._lines.Enqueue(formatter(state, exception));
            }
        }
    }
}
