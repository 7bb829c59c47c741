using System.CommandLine;
using System.CommandLine.Parsing;

namespace Instasent.SmppAdapter.Cli;

/// <summary><c>events</c>: tails the adapter's events, one line each, until Ctrl-C, <c>--count</c> or <c>--timeout</c>.</summary>
internal sealed class EventsCommand : Command
{
    static readonly Dictionary<string, EventKinds> KindNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["submitted"] = EventKinds.Submitted,
        ["rejected"] = EventKinds.Rejected,
        ["delivery"] = EventKinds.Delivery,
        ["inbound"] = EventKinds.Inbound,
        ["session"] = EventKinds.Session,
    };

    readonly GlobalOptions _global;
    readonly CliEnvironment _environment;

    readonly Option<EventKinds> _types = new("--types")
    {
        Description = $"Which events, comma-separated: {string.Join(',', KindNames.Keys)} (default: all)",
        HelpName = "types",
        AllowMultipleArgumentsPerToken = true,
        Arity = ArgumentArity.OneOrMore,
        CustomParser = ParseKinds,
        DefaultValueFactory = _ => EventKinds.All,
    };

    readonly Option<int?> _count = new("--count")
    {
        Description = "Stop after this many events (exit 1 if --timeout passes first)",
        CustomParser = result => GlobalOptions.ParseCount(result, "--count"),
    };

    readonly Option<TimeSpan?> _timeout = new("--timeout")
    {
        Description = "Stop after this long (e.g. 30s, 5m)",
        HelpName = "duration",
        CustomParser = result => GlobalOptions.ParseDuration(result, "--timeout"),
    };

    public EventsCommand(GlobalOptions global, CliEnvironment environment)
        : base("events", "Tail outcome, receipt, inbound and session events as they arrive (Ctrl-C stops)")
    {
        _global = global;
        _environment = environment;
        Options.Add(_types);
        Options.Add(_count);
        Options.Add(_timeout);
        SetAction(RunAsync);
    }

    async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var kinds = parseResult.GetValue(_types);
        var count = parseResult.GetValue(_count);
        var timeout = parseResult.GetValue(_timeout);
        var broker = parseResult.GetValue(_global.RabbitMq)!;
        var terminal = new Terminal(_environment, parseResult.GetValue(_global.Json));

        var bus = (await BusConnection.ConnectAsync(broker, kinds, parseResult.GetValue(_global.ConnectTimeout), cancellationToken).ConfigureAwait(false));

        await using var busDisposal = bus.ConfigureAwait(false);
        if (!terminal.Json)
        {
            terminal.Note($"listening for {kinds.ToString().ToLowerInvariant()} events on {broker} (Ctrl-C to stop)");
        }

        using var stop = timeout is { } limit
            ? new CancellationTokenSource(limit, _environment.Time)
            : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop.Token, cancellationToken);
        var received = 0;
        try
        {
            await foreach (var evt in bus.Events.ReadAllAsync(linked.Token).ConfigureAwait(false))
            {
                terminal.Result(terminal.Json ? evt.ToJson() : evt.ToString());
                if (++received == count)
                {
                    return ExitCodes.Ok;
                }
            }
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            // Ctrl-C or --timeout: the normal end of a tail.
        }

        if (count is { } wanted && received < wanted)
        {
            terminal.Note($"received {received} of {wanted} events before {(cancellationToken.IsCancellationRequested ? "Ctrl-C" : $"the {timeout} timeout")}");
            return ExitCodes.Failed;
        }

        return ExitCodes.Ok;
    }

    static EventKinds ParseKinds(ArgumentResult result)
    {
        var kinds = EventKinds.None;
        var valid = true;
        foreach (var name in result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            if (KindNames.TryGetValue(name, out var kind))
            {
                kinds |= kind;
            }
            else
            {
                valid = false;
                result.AddError($"--types '{name}' is not an event type; use {string.Join(", ", KindNames.Keys)}");
            }
        }

        if (kinds == EventKinds.None && valid)
        {
            result.AddError("--types names no event type");
        }

        return kinds;
    }
}
