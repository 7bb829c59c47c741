namespace Instasent.SmppAdapter.Cli;

/// <summary>What the commands print to and measure with: the console in the real process, writers and a chosen clock in tests.</summary>
/// <param name="Out">Results: outcome and event lines, tables, summaries.</param>
/// <param name="Error">Errors, notes and the progress bar, so <see cref="Out"/> stays clean for pipes.</param>
/// <param name="ErrorIsTerminal">Whether <see cref="Error"/> is a terminal that understands <c>\r</c> and ANSI erase.</param>
/// <param name="Time">The clock for latencies, rates and timeouts.</param>
/// <param name="HandleCtrlC">Whether Ctrl-C cancels the running command (the real process) or is left alone (tests).</param>
internal sealed record CliEnvironment(TextWriter Out, TextWriter Error, bool ErrorIsTerminal, TimeProvider Time, bool HandleCtrlC)
{
    public static CliEnvironment Console() =>
        new(System.Console.Out, System.Console.Error, !System.Console.IsErrorRedirected, TimeProvider.System, HandleCtrlC: true);
}
