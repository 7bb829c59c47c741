using System.CommandLine;

namespace Instasent.SmppAdapter.Cli;

/// <summary>
/// The <c>smpp-adapter</c> command line: <c>send</c>, <c>events</c>, <c>sessions</c>. Parse errors (System.CommandLine's
/// and our own validators') exit with <see cref="ExitCodes.BadArguments"/> before anything is sent; an unreachable
/// broker is one line and <see cref="ExitCodes.Unreachable"/>.
/// </summary>
internal static class CliApp
{
    const string Name = "smpp-adapter";

    public static RootCommand Build(CliEnvironment environment)
    {
        var global = new GlobalOptions();
        var root = new RootCommand("Send SMS through the Instasent SMPP Adapter and watch what it reports.")
        {
            new SendCommand(global, environment),
            new EventsCommand(global, environment),
            new SessionsCommand(global, environment),
        };
        global.AddTo(root);
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliEnvironment environment)
    {
        var parseResult = Build(environment).Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            foreach (var error in parseResult.Errors)
            {
                await environment.Error.WriteLineAsync($"{Name}: {error.Message}").ConfigureAwait(false);
            }

            var command = parseResult.CommandResult.Command;
            await environment.Error.WriteLineAsync($"See '{Name}{(command is RootCommand ? "" : " " + command.Name)} --help'.").ConfigureAwait(false);
            return ExitCodes.BadArguments;
        }

        var invocation = new InvocationConfiguration
        {
            Output = environment.Out,
            Error = environment.Error,
            EnableDefaultExceptionHandler = false,
            // Ctrl-C cancels the command's token; it then has this long to print its summary and close the bus.
            ProcessTerminationTimeout = environment.HandleCtrlC ? TimeSpan.FromSeconds(10) : null,
        };
        try
        {
            return await parseResult.InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (BrokerUnreachableException ex)
        {
            await environment.Error.WriteLineAsync($"{Name}: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Unreachable;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
    }
}
