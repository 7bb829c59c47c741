using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Instasent.SmppAdapter.Simulator;

/// <summary>
/// The simulator's options. Each value is checked as it is parsed (the error names the option, the value and what is
/// expected); what needs several options together (accounts, <see cref="SimulatorOptions.Validate"/>, MO injection) is
/// checked by <see cref="Read"/>. Defaults come from <see cref="SimulatorOptions"/>, except the port: the program
/// listens on SMPP's 2775, the library on a free one.
/// </summary>
internal sealed class SimulatorCommand : RootCommand
{
    private const int DefaultPort = 2775;
    private const MoSegmentation DefaultSegmentation = MoSegmentation.Udh8;
    private static readonly SimulatorOptions Defaults = new();

    private static readonly (string Text, ReceiptForm Value)[] ReceiptForms =
        [("text", ReceiptForm.Text), ("tlv", ReceiptForm.Tlv), ("both", ReceiptForm.Both)];

    private static readonly (string Text, SimulatorMessageIdFormat Value)[] MessageIdFormats =
    [
        ("decimal", SimulatorMessageIdFormat.Decimal), ("hex", SimulatorMessageIdFormat.Hex),
        ("hex-decimal", SimulatorMessageIdFormat.HexInResponseDecimalInReceipt),
        ("decimal-hex", SimulatorMessageIdFormat.DecimalInResponseHexInReceipt),
    ];

    private static readonly (string Text, MoSegmentation Value)[] Segmentations =
        [("udh8", MoSegmentation.Udh8), ("udh16", MoSegmentation.Udh16), ("sar", MoSegmentation.Sar), ("none", MoSegmentation.None)];

    private readonly Option<string> _host = new("--host")
    {
        Description = "Listen address; 0.0.0.0 in containers, to be reachable from the others",
        HelpName = "ip",
        DefaultValueFactory = _ => Defaults.Host,
    };

    private readonly Option<int> _port = new("--port")
    {
        Description = "SMPP port; 0 picks a free one",
        HelpName = "n",
        DefaultValueFactory = _ => DefaultPort,
        CustomParser = Port,
    };

    private readonly Option<SimulatorAccount[]> _accounts = new("--account")
    {
        Description = $"An account and how many sessions it may bind at once [default binds: {new SimulatorAccount("", "").MaxBinds}]; "
            + "repeat for more, at least one",
        HelpName = "user:pass[:binds]",
        CustomParser = Accounts,
    };

    private readonly Option<int?> _controlPort = new("--control-port")
    {
        Description = "Serve the HTTP control API (/stats, /faults, /mo, /submits, /drop-connections) on this port; off unless given",
        HelpName = "n",
        CustomParser = result => Port(result),
    };

    private readonly Option<string> _controlHost = new("--control-host")
    {
        Description = "Address of the control API",
        HelpName = "ip",
        DefaultValueFactory = _ => new SimulatorCommandLine().ControlHost,
    };

    private readonly Option<TimeSpan?> _receiptDelay = new("--receipt-delay")
    {
        Description = $"Time from submit_sm to its delivery receipt, e.g. 250ms, 2s, 1m [default: {Seconds(Defaults.ReceiptDelay)}]",
        HelpName = "duration",
        CustomParser = Duration,
    };

    private readonly Option<ReceiptMix> _receiptMix = new("--receipt-mix")
    {
        Description = "Final states of the receipts and their weights, dealt in exact proportions, e.g. DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2",
        HelpName = "mix",
        DefaultValueFactory = _ => Defaults.ReceiptMix,
        CustomParser = ParseReceiptMix,
    };

    private readonly Option<ReceiptForm?> _receiptForm =
        Choice("--receipt-form", "How receipts carry the outcome: the text, the TLVs or both", Defaults.ReceiptForm, ReceiptForms);

    private readonly Option<SimulatorMessageIdFormat?> _messageIdFormat = Choice("--message-id-format",
        "How message ids are written; hex-decimal: hex in submit_sm_resp, decimal in receipts (decimal-hex the other way)",
        Defaults.MessageIdFormat, MessageIdFormats);

    private readonly Option<int?> _deliverAttempts = new("--deliver-attempts")
    {
        Description = $"Sends of one receipt or MO deliver_sm (refused or unanswered) before giving up on it [default: {Defaults.MaxDeliverAttempts}]",
        HelpName = "n",
        CustomParser = result => Count(result),
    };

    private readonly Option<TimeSpan?> _deliverRetryDelay = new("--deliver-retry-delay")
    {
        Description = $"Wait before sending a refused or unanswered deliver_sm again [default: {Seconds(Defaults.DeliverRetryDelay)}]",
        HelpName = "duration",
        CustomParser = Duration,
    };

    private readonly Option<bool> _verbose = new("--verbose", "-v") { Description = "Log every PDU (costs throughput)" };

    private readonly Option<int?> _tps = new("--tps")
    {
        Description = "Fault: submit_sm per second per account before ESME_RTHROTTLED",
        HelpName = "n",
        CustomParser = result => Count(result),
    };

    private readonly Option<bool> _queueFull = new("--queue-full") { Description = "Fault: answer every submit_sm ESME_RMSGQFUL" };

    private readonly Option<TimeSpan?> _responseDelay = new("--response-delay")
    {
        Description = "Fault: hold every submit_sm_resp back this long",
        HelpName = "duration",
        CustomParser = Duration,
    };

    private readonly Option<bool> _dropResponses = new("--drop-responses") { Description = "Fault: never answer submit_sm" };

    private readonly Option<bool> _ignoreEnquireLink = new("--ignore-enquire-link") { Description = "Fault: never answer enquire_link" };

    private readonly Option<int?> _dropConnectionAfter = new("--drop-connection-after")
    {
        Description = "Fault: reset a connection when its n-th PDU arrives",
        HelpName = "n",
        CustomParser = result => Count(result),
    };

    private readonly Option<bool> _malformedPdu = new("--malformed-pdu")
    {
        Description = "Fault: send one malformed deliver_sm with the first write",
    };

    private readonly Option<TimeSpan?> _refuseBindsFor = new("--refuse-binds-for")
    {
        Description = "Fault: answer binds ESME_RBINDFAIL for this long after start",
        HelpName = "duration",
        CustomParser = Duration,
    };

    private readonly Option<TimeSpan?> _moEvery = new("--mo-every")
    {
        Description = "Inject an MO message this often (POST /mo injects one on demand)",
        HelpName = "duration",
        CustomParser = Duration,
    };

    private readonly Option<string?> _moAccount = new("--mo-account")
    {
        Description = "With --mo-every: the account the MO messages go to [default: the first --account]",
        HelpName = "system_id",
    };

    private readonly Option<string> _moFrom = new("--mo-from")
    {
        Description = "With --mo-every: the sender",
        HelpName = "addr",
        DefaultValueFactory = _ => "+34600000000",
    };

    private readonly Option<string> _moTo = new("--mo-to")
    {
        Description = "With --mo-every: the recipient",
        HelpName = "addr",
        DefaultValueFactory = _ => "Instasent",
    };

    private readonly Option<string> _moText = new("--mo-text")
    {
        Description = "With --mo-every: the text",
        HelpName = "text",
        DefaultValueFactory = _ => "Hello from the SMSC simulator",
    };

    private readonly Option<MoSegmentation?> _moSegmentation = Choice("--mo-segmentation",
        "With --mo-every: how a text longer than one short_message is split", DefaultSegmentation, Segmentations);

    public SimulatorCommand()
        : base("""
            Instasent SMSC simulator: an SMPP 3.4/5.0 server that behaves like Instasent's SMSC.
            From the repository: dotnet run --project src/Instasent.SmppAdapter.Simulator -- [options]
            Faults can also be switched at run time through the control API (POST /faults).
            """)
    {
        Option[] options =
        [
            _host, _port, _accounts, _controlPort, _controlHost, _receiptDelay, _receiptMix, _receiptForm, _messageIdFormat,
            _deliverAttempts, _deliverRetryDelay, _verbose, _tps, _queueFull, _responseDelay, _dropResponses, _ignoreEnquireLink, _dropConnectionAfter, _malformedPdu,
            _refuseBindsFor, _moEvery, _moAccount, _moFrom, _moTo, _moText, _moSegmentation,
        ];
        foreach (var option in options)
        {
            Options.Add(option);
        }
    }

    /// <summary>The command line <paramref name="parseResult"/> (free of parse errors) asks for; throws <see cref="CommandLineException"/>
    /// for a combination that cannot work.</summary>
    public SimulatorCommandLine Read(ParseResult parseResult)
    {
        var accounts = parseResult.GetValue(_accounts) ?? [];
        if (accounts.Length == 0)
        {
            throw new CommandLineException("no --account given: add at least one, e.g. --account myuser:mypass");
        }

        var options = Defaults with
        {
            Host = parseResult.GetValue(_host)!,
            Port = parseResult.GetValue(_port),
            Accounts = accounts,
            ReceiptDelay = parseResult.GetValue(_receiptDelay) ?? Defaults.ReceiptDelay,
            ReceiptMix = parseResult.GetValue(_receiptMix)!,
            ReceiptForm = parseResult.GetValue(_receiptForm) ?? Defaults.ReceiptForm,
            MessageIdFormat = parseResult.GetValue(_messageIdFormat) ?? Defaults.MessageIdFormat,
            MaxDeliverAttempts = parseResult.GetValue(_deliverAttempts) ?? Defaults.MaxDeliverAttempts,
            DeliverRetryDelay = parseResult.GetValue(_deliverRetryDelay) ?? Defaults.DeliverRetryDelay,
            Verbose = parseResult.GetValue(_verbose),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new CommandLineException(e.Message.Split(" (Parameter")[0]);
        }

        return new SimulatorCommandLine
        {
            Options = options,
            ControlPort = parseResult.GetValue(_controlPort),
            ControlHost = parseResult.GetValue(_controlHost)!,
            Faults = new FaultSettings
            {
                MaxSubmitsPerSecond = parseResult.GetValue(_tps),
                QueueFull = Flag(parseResult, _queueFull),
                ResponseDelay = parseResult.GetValue(_responseDelay),
                DropResponses = Flag(parseResult, _dropResponses),
                IgnoreEnquireLink = Flag(parseResult, _ignoreEnquireLink),
                DropConnectionAfterPdus = parseResult.GetValue(_dropConnectionAfter),
                SendMalformedPduNext = Flag(parseResult, _malformedPdu),
                RefuseBindsFor = parseResult.GetValue(_refuseBindsFor),
            },
            Mo = ReadMo(parseResult, accounts),
        };
    }

    private MoSchedule? ReadMo(ParseResult parseResult, SimulatorAccount[] accounts)
    {
        var systemId = parseResult.GetValue(_moAccount);
        if (parseResult.GetValue(_moEvery) is not { } every)
        {
            // A default is not a request: only options typed on the command line are refused without --mo-every.
            if (systemId is not null || new Option[] { _moFrom, _moTo, _moText }.Any(o => parseResult.GetResult(o) is { Implicit: false }))
            {
                throw new CommandLineException("--mo-account/--mo-from/--mo-to/--mo-text need --mo-every");
            }

            return null;
        }
        if (every <= TimeSpan.Zero)
        {
            throw new CommandLineException("--mo-every must be above 0");
        }

        systemId ??= accounts[0].SystemId;
        if (accounts.All(a => a.SystemId != systemId))
        {
            throw new CommandLineException($"--mo-account '{systemId}' is not one of the --account values");
        }

        return new MoSchedule(every, systemId, parseResult.GetValue(_moFrom)!, parseResult.GetValue(_moTo)!, parseResult.GetValue(_moText)!,
            parseResult.GetValue(_moSegmentation) ?? DefaultSegmentation);
    }

    /// <summary>A switch given sets its fault; one left out leaves the fault as it is (null), not off.</summary>
    private static bool? Flag(ParseResult parseResult, Option<bool> option) => parseResult.GetValue(option) ? true : null;

    private static int Port(ArgumentResult result) =>
        Value<int>(result, text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port <= 65535 ? port : null,
            "is not a port (0..65535)");

    private static int Count(ArgumentResult result) =>
        Value<int>(result, text => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null,
            "is not a whole number");

    private static TimeSpan? Duration(ArgumentResult result) => Value(result, ParseDuration, "is not a duration (e.g. 250ms, 2s, 1m)");

    private static ReceiptMix ParseReceiptMix(ArgumentResult result)
    {
        try
        {
            return ReceiptMix.Parse(result.Tokens[0].Value);
        }
        catch (FormatException e)
        {
            result.AddError($"--receipt-mix: {e.Message}");
            return Defaults.ReceiptMix;
        }
    }

    private static SimulatorAccount[] Accounts(ArgumentResult result)
    {
        var accounts = new List<SimulatorAccount>();
        foreach (var token in result.Tokens)
        {
            if (ParseAccount(token.Value) is { } account)
            {
                accounts.Add(account);
            }
            else
            {
                result.AddError($"--account '{token.Value}' is not user:pass[:maxBinds]");
            }
        }
        return [.. accounts];
    }

    /// <summary><c>user:pass</c> or <c>user:pass:maxBinds</c> (a password may itself contain ':' when maxBinds is given).</summary>
    private static SimulatorAccount? ParseAccount(string value)
    {
        var first = value.IndexOf(':');
        if (first <= 0)
        {
            return null;
        }

        var user = value[..first];
        var rest = value[(first + 1)..];
        var last = rest.LastIndexOf(':');
        if (last >= 0 && int.TryParse(rest[(last + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var binds))
        {
            return new SimulatorAccount(user, rest[..last], binds);
        }

        return new SimulatorAccount(user, rest);
    }

    /// <summary><c>250ms</c>, <c>2s</c>, <c>1m</c>, <c>1h</c>, a bare number of seconds, or <c>hh:mm:ss</c>; null for anything else.</summary>
    private static TimeSpan? ParseDuration(string value)
    {
        var v = value.Trim();
        (string Suffix, double Ticks)[] units = [("ms", TimeSpan.TicksPerMillisecond), ("s", TimeSpan.TicksPerSecond), ("m", TimeSpan.TicksPerMinute), ("h", TimeSpan.TicksPerHour)];
        foreach (var (suffix, ticks) in units)
        {
            if (v.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(v[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            {
                return TimeSpan.FromTicks((long)(amount * ticks));
            }
        }
        if (double.TryParse(v, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        if (TimeSpan.TryParse(v, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero)
        {
            return span;
        }

        return null;
    }

    private static string Seconds(TimeSpan duration) => duration.TotalSeconds.ToString(CultureInfo.InvariantCulture) + "s";

    /// <summary>The option's value as <paramref name="parse"/> reads it; when it cannot, an error naming the option, the value and <paramref name="expected"/>.</summary>
    private static T Value<T>(ArgumentResult result, Func<string, T?> parse, string expected)
        where T : struct
    {
        var text = result.Tokens[0].Value;
        if (parse(text) is { } value)
        {
            return value;
        }

        result.AddError($"{((OptionResult)result.Parent!).Option.Name} '{text}' {expected}");
        return default;
    }

    /// <summary>An option taking one of <paramref name="choices"/> by name (any case); help lists them and the default.</summary>
    private static Option<T?> Choice<T>(string name, string description, T defaultValue, (string Text, T Value)[] choices)
        where T : struct, Enum => new(name)
        {
            Description = $"{description} [default: {choices.Single(c => c.Value.Equals(defaultValue)).Text}]",
            HelpName = string.Join('|', choices.Select(c => c.Text)),
            CustomParser = result => Value(result,
                text => choices.Where(c => string.Equals(c.Text, text, StringComparison.OrdinalIgnoreCase)).Select(c => (T?)c.Value).FirstOrDefault(),
                $"is not one of {string.Join(", ", choices.Select(c => c.Text))}"),
        };
}
