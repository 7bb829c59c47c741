using System.Globalization;

namespace Instasent.SmppAdapter.Simulator;

/// <summary>A command-line argument that cannot be used; the message is the one line printed.</summary>
public sealed class CommandLineException(string message) : Exception(message);

/// <summary>Periodic MO injection from the command line (<c>--mo-every</c>), for demos.</summary>
public sealed record MoSchedule(TimeSpan Every, string SystemId, string From, string To, string Text, MoSegmentation Segmentation);

/// <summary>
/// The simulator's command line. Plain parsing rather than a library: a dozen flags, and each bad one gets a single
/// line naming the flag, the value and what is expected.
/// </summary>
public sealed record SimulatorCommandLine
{
    public const string HelpText = """
        Instasent SMSC simulator: an SMPP 3.4/5.0 server that behaves like Instasent's SMSC.

        Usage: dotnet run --project src/Instasent.SmppAdapter.Simulator -- [options]

          --host <ip>                     listen address (default 127.0.0.1; 0.0.0.0 in containers)
          --port <n>                      SMPP port (default 2775; 0 picks a free one)
          --account <user:pass[:binds]>   an account and its bind limit (default 10); repeat for more
          --control-port <n>              HTTP control API on 127.0.0.1:<n> (off unless given)
          --control-host <ip>             address of the control API (default 127.0.0.1)
          --receipt-delay <duration>      submit_sm to receipt (default 1s; e.g. 250ms, 2s, 1m)
          --receipt-mix <mix>             e.g. DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2 (default DELIVRD=1)
          --receipt-form <text|tlv|both>  how receipts carry the outcome (default both)
          --message-id-format <f>         decimal | hex | hex-decimal (hex in submit_sm_resp, decimal in receipts)
                                          | decimal-hex (default decimal)
          --verbose                       log every PDU (costs throughput)
        Faults (also settable at run time through POST /faults):
          --tps <n>                       submit_sm per second per account before ESME_RTHROTTLED
          --queue-full                    answer every submit_sm ESME_RMSGQFUL
          --response-delay <duration>     hold every submit_sm_resp back this long
          --drop-responses                never answer submit_sm
          --ignore-enquire-link           never answer enquire_link
          --drop-connection-after <n>     reset a connection when its n-th PDU arrives
          --malformed-pdu                 send one malformed deliver_sm with the first write
          --refuse-binds-for <duration>   answer binds ESME_RBINDFAIL for this long after start
        MO injection (also through POST /mo):
          --mo-every <duration>           inject an MO message this often
          --mo-account <system_id>        to this account (default the first --account)
          --mo-from <addr> --mo-to <addr> --mo-text <text>
          --mo-segmentation <udh8|udh16|sar|none>
          -h, --help                      this text
        """;

    public bool Help { get; init; }

    public SimulatorOptions Options { get; init; } = new();

    public int? ControlPort { get; init; }

    public string ControlHost { get; init; } = "127.0.0.1";

    public FaultSettings Faults { get; init; } = new();

    public MoSchedule? Mo { get; init; }

    /// <summary>Parses <paramref name="args"/>; throws <see cref="CommandLineException"/> with one line for the first bad argument.</summary>
    public static SimulatorCommandLine Parse(IReadOnlyList<string> args)
    {
        var options = new SimulatorOptions { Port = 2775 };
        var accounts = new List<SimulatorAccount>();
        var faults = new FaultSettings();
        int? controlPort = null;
        var controlHost = "127.0.0.1";
        TimeSpan? moEvery = null;
        string? moAccount = null, moFrom = null, moTo = null, moText = null;
        var moSegmentation = MoSegmentation.Udh8;

        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = Split(args[i]);
            string Value()
            {
                if (inline is not null) return inline;
                if (i + 1 >= args.Count) throw new CommandLineException($"{name} needs a value");
                return args[++i];
            }

            switch (name)
            {
                case "-h" or "--help" or "-?":
                    return new SimulatorCommandLine { Help = true };
                case "--host": options = options with { Host = Value() }; break;
                case "--port": options = options with { Port = Port(name, Value()) }; break;
                case "--account": accounts.Add(Account(Value())); break;
                case "--control-port": controlPort = Port(name, Value()); break;
                case "--control-host": controlHost = Value(); break;
                case "--receipt-delay": options = options with { ReceiptDelay = Duration(name, Value()) }; break;
                case "--receipt-mix":
                    var mix = Value();
                    try
                    {
                        options = options with { ReceiptMix = ReceiptMix.Parse(mix) };
                    }
                    catch (FormatException e)
                    {
                        throw new CommandLineException($"--receipt-mix: {e.Message}");
                    }
                    break;
                case "--receipt-form":
                    options = options with { ReceiptForm = Choice(name, Value(), ("text", ReceiptForm.Text), ("tlv", ReceiptForm.Tlv), ("both", ReceiptForm.Both)) };
                    break;
                case "--message-id-format":
                    options = options with
                    {
                        MessageIdFormat = Choice(name, Value(),
                            ("decimal", SimulatorMessageIdFormat.Decimal), ("hex", SimulatorMessageIdFormat.Hex),
                            ("hex-decimal", SimulatorMessageIdFormat.HexInResponseDecimalInReceipt),
                            ("decimal-hex", SimulatorMessageIdFormat.DecimalInResponseHexInReceipt)),
                    };
                    break;
                case "--verbose" or "-v": options = options with { Verbose = true }; break;
                case "--tps": faults = faults with { MaxSubmitsPerSecond = Count(name, Value()) }; break;
                case "--queue-full": faults = faults with { QueueFull = true }; break;
                case "--response-delay": faults = faults with { ResponseDelay = Duration(name, Value()) }; break;
                case "--drop-responses": faults = faults with { DropResponses = true }; break;
                case "--ignore-enquire-link": faults = faults with { IgnoreEnquireLink = true }; break;
                case "--drop-connection-after": faults = faults with { DropConnectionAfterPdus = Count(name, Value()) }; break;
                case "--malformed-pdu": faults = faults with { SendMalformedPduNext = true }; break;
                case "--refuse-binds-for": faults = faults with { RefuseBindsFor = Duration(name, Value()) }; break;
                case "--mo-every": moEvery = Duration(name, Value()); break;
                case "--mo-account": moAccount = Value(); break;
                case "--mo-from": moFrom = Value(); break;
                case "--mo-to": moTo = Value(); break;
                case "--mo-text": moText = Value(); break;
                case "--mo-segmentation":
                    moSegmentation = Choice(name, Value(), ("udh8", MoSegmentation.Udh8), ("udh16", MoSegmentation.Udh16),
                        ("sar", MoSegmentation.Sar), ("none", MoSegmentation.None));
                    break;
                default:
                    throw new CommandLineException($"unknown option '{args[i]}'");
            }
        }

        if (accounts.Count == 0) throw new CommandLineException("no --account given: add at least one, e.g. --account myuser:mypass");
        options = options with { Accounts = accounts };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CommandLineException(e.Message.Split(" (Parameter")[0]);
        }

        MoSchedule? mo = null;
        if (moEvery is { } every)
        {
            if (every <= TimeSpan.Zero) throw new CommandLineException("--mo-every must be above 0");
            var systemId = moAccount ?? accounts[0].SystemId;
            if (accounts.All(a => a.SystemId != systemId)) throw new CommandLineException($"--mo-account '{systemId}' is not one of the --account values");
            mo = new MoSchedule(every, systemId, moFrom ?? "+34600000000", moTo ?? "Instasent", moText ?? "Hello from the SMSC simulator", moSegmentation);
        }
        else if ((moAccount ?? moFrom ?? moTo ?? moText) is not null)
        {
            throw new CommandLineException("--mo-account/--mo-from/--mo-to/--mo-text need --mo-every");
        }

        return new SimulatorCommandLine { Options = options, ControlPort = controlPort, ControlHost = controlHost, Faults = faults, Mo = mo };
    }

    private static (string Name, string? Inline) Split(string arg)
    {
        var eq = arg.IndexOf('=');
        return arg.StartsWith("--", StringComparison.Ordinal) && eq > 2 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }

    private static int Port(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535
            ? port
            : throw new CommandLineException($"{name} '{value}' is not a port (0..65535)");

    private static int Count(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new CommandLineException($"{name} '{value}' is not a whole number");

    /// <summary><c>250ms</c>, <c>2s</c>, <c>1m</c>, <c>1h</c>, a bare number of seconds, or <c>hh:mm:ss</c>.</summary>
    public static TimeSpan Duration(string name, string value)
    {
        var v = value.Trim();
        (string Suffix, double Ticks)[] units = [("ms", TimeSpan.TicksPerMillisecond), ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour)];
        foreach (var (suffix, ticks) in units)
        {
            if (v.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(v[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
                return TimeSpan.FromTicks((long)(amount * ticks));
        }
        if (double.TryParse(v, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(seconds);
        if (TimeSpan.TryParse(v, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero) return span;
        throw new CommandLineException($"{name} '{value}' is not a duration (e.g. 250ms, 2s, 1m)");
    }

    private static SimulatorAccount Account(string value)
    {
        // user:pass or user:pass:maxBinds (a password may itself contain ':' when maxBinds is given).
        var first = value.IndexOf(':');
        if (first <= 0) throw new CommandLineException($"--account '{value}' is not user:pass[:maxBinds]");
        var user = value[..first];
        var rest = value[(first + 1)..];
        var last = rest.LastIndexOf(':');
        if (last >= 0 && int.TryParse(rest[(last + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var binds))
            return new SimulatorAccount(user, rest[..last], binds);
        return new SimulatorAccount(user, rest);
    }

    private static T Choice<T>(string name, string value, params (string Text, T Value)[] choices)
    {
        foreach (var (text, choice) in choices)
        {
            if (string.Equals(text, value, StringComparison.OrdinalIgnoreCase)) return choice;
        }
        throw new CommandLineException($"{name} '{value}' is not one of {string.Join(", ", choices.Select(c => c.Text))}");
    }
}
