namespace Instasent.SmppAdapter.Cli;

/// <summary>
/// Serialises what the commands print: result lines on stdout, notes and one status line (the progress bar) on stderr.
/// On a terminal the status line is redrawn in place and erased before any other line is printed, so the two never
/// interleave; elsewhere status lines are printed like notes, as the caller rations them.
/// </summary>
internal sealed class Terminal(CliEnvironment environment, bool json)
{
    // ANSI: carriage return, then "erase entire line" (CSI 2 K).
    const string EraseLine = "\r\u001b[2K";

    readonly Lock _gate = new();
    string? _status;

    /// <summary>Whether results are printed as JSON lines (<c>--json</c>).</summary>
    public bool Json => json;

    /// <summary>Whether the status line can be redrawn in place.</summary>
    public bool Interactive => environment.ErrorIsTerminal;

    public void Result(string line) => Print(environment.Out, line);

    public void Note(string line) => Print(environment.Error, line);

    /// <summary>Shows (or replaces) the status line; off a terminal it is printed as a plain line.</summary>
    public void Status(string line)
    {
        lock (_gate)
        {
            if (!Interactive)
            {
                environment.Error.WriteLine(line);
                return;
            }

            _status = line;
            environment.Error.Write(EraseLine + line);
            environment.Error.Flush();
        }
    }

    /// <summary>Erases the status line and stops redrawing it.</summary>
    public void ClearStatus()
    {
        lock (_gate)
        {
            if (_status is not null)
            {
                environment.Error.Write(EraseLine);
                environment.Error.Flush();
            }

            _status = null;
        }
    }

    void Print(TextWriter writer, string line)
    {
        lock (_gate)
        {
            if (_status is not null)
            {
                environment.Error.Write(EraseLine);
            }

            writer.WriteLine(line);
            writer.Flush();
            if (_status is not null)
            {
                environment.Error.Write(_status);
                environment.Error.Flush();
            }
        }
    }
}
