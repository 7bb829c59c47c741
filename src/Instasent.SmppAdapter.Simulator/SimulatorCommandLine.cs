using System.CommandLine;
using System.CommandLine.Help;

namespace Instasent.SmppAdapter.Simulator;

/// <summary>Periodic MO injection from the command line (<c>--mo-every</c>), for demos.</summary>
public sealed record MoSchedule(TimeSpan Every, string SystemId, string From, string To, string Text, MoSegmentation Segmentation);

/// <summary>
/// What the simulator's command line asks for. Parsed with System.CommandLine, as the <c>smpp-adapter</c> CLI is, and
/// failing the same way: one line per problem naming the option, the value and what is expected, a pointer to
/// <c>--help</c>, exit code <see cref="BadArguments"/>.
/// </summary>
public sealed record SimulatorCommandLine
{
    /// <summary>How error lines name the program: as its assembly, its container entry point and <c>--help</c>'s usage line do.</summary>
    public const string Name = "Instasent.SmppAdapter.Simulator";

    /// <summary>The exit code for arguments that cannot be used (the CLI's too); nothing was started.</summary>
    public const int BadArguments = 2;

    public SimulatorOptions Options { get; init; } = new();

    public int? ControlPort { get; init; }

    public string ControlHost { get; init; } = "127.0.0.1";

    public FaultSettings Faults { get; init; } = new();

    public MoSchedule? Mo { get; init; }

    /// <summary>
    /// Parses <paramref name="args"/> and hands the result to <paramref name="run"/>, returning its exit code. <c>--help</c>
    /// prints the options to <paramref name="output"/> (exit 0); bad arguments are reported on <paramref name="error"/>
    /// (exit <see cref="BadArguments"/>). In both cases <paramref name="run"/> is not called.
    /// </summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, TextWriter error, Func<SimulatorCommandLine, Task<int>> run)
    {
        var command = new SimulatorCommand();
        var parseResult = command.Parse(args);
        List<string> problems = [.. parseResult.Errors.Select(e => e.Message)];
        if (problems.Count == 0 && parseResult.Action is HelpAction)
        {
            return await parseResult.InvokeAsync(new InvocationConfiguration { Output = output, Error = error }).ConfigureAwait(false);
        }

        SimulatorCommandLine? commandLine = null;
        if (problems.Count == 0)
        {
            try
            {
                commandLine = command.Read(parseResult);
            }
            catch (CommandLineException e)
            {
                problems.Add(e.Message);
            }
        }
        if (commandLine is null)
        {
            foreach (var problem in problems)
            {
                await error.WriteLineAsync($"{Name}: {problem}").ConfigureAwait(false);
            }

            await error.WriteLineAsync($"See '{Name} --help'.").ConfigureAwait(false);
            return BadArguments;
        }
        return await run(commandLine).ConfigureAwait(false);
    }
}

/// <summary>A combination of arguments that cannot be used (each one alone parsed); the message is the one line printed.</summary>
internal sealed class CommandLineException(string message) : Exception(message);
