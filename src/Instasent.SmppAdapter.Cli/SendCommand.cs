using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using Instasent.SmppAdapter.Contracts;

namespace Instasent.SmppAdapter.Cli;

/// <summary>
/// <c>send</c>: one <see cref="SendSms"/>, or <c>--count N --rate R</c> of them, to the <c>smpp-send-sms</c> queue;
/// waits for each outcome (and, with <c>--wait-receipts</c>, each delivery receipt) and sums the run up.
/// </summary>
internal sealed partial class SendCommand : Command
{
    const int MaxAlphanumericSender = 11;

    readonly GlobalOptions _global;
    readonly CliEnvironment _environment;

    readonly Option<string> _to = new("--to")
    {
        Description = "Recipient, an international number such as +34600000000",
        HelpName = "number",
        Required = true,
    };

    readonly Option<string> _from = new("--from")
    {
        Description = $"Sender: an international number or an alphanumeric id of up to {MaxAlphanumericSender} characters",
        HelpName = "sender",
        Required = true,
    };

    readonly Option<string> _text = new("--text")
    {
        Description = "The message text (long texts are split into segments by the adapter)",
        Required = true,
    };

    readonly Option<string> _encoding = new("--encoding")
    {
        Description = "Character set: auto (GSM 7-bit if the text fits, else UCS-2), gsm7, latin9 or ucs2",
        DefaultValueFactory = _ => "auto",
    };

    readonly Option<string?> _connection = new("--connection")
    {
        Description = "Name of the adapter's SMPP connection (account) to send through; the first configured one if absent",
        HelpName = "name",
    };

    readonly Option<bool> _noDeliveryReport = new("--no-dlr")
    {
        Description = "Do not ask the SMSC for a delivery receipt",
    };

    readonly Option<string?> _validity = new("--validity")
    {
        Description = "How long the SMSC keeps trying, as an ISO-8601 duration (e.g. PT1H)",
        HelpName = "duration",
    };

    readonly Option<string?> _schedule = new("--schedule")
    {
        Description = "When the SMSC should deliver, as an ISO-8601 timestamp with offset (e.g. 2026-12-01T10:00:00+01:00)",
        HelpName = "timestamp",
    };

    readonly Option<string[]> _metadata = new("--meta")
    {
        Description = "Metadata echoed on every event about the message, as key=value (repeatable)",
        HelpName = "key=value",
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => [],
    };

    readonly Option<string?> _messageId = new("--message-id")
    {
        Description = "The message id (idempotency key); with --count, ids are <id>-1 ... <id>-N. Default: a new cli-<random> id",
        HelpName = "id",
    };

    readonly Option<int> _count = new("--count")
    {
        Description = "How many messages to send (same text, distinct ids)",
        DefaultValueFactory = _ => 1,
        CustomParser = result => GlobalOptions.ParseCount(result, "--count"),
    };

    readonly Option<double?> _rate = new("--rate")
    {
        Description = "Messages per second (token bucket); as fast as the broker confirms if absent",
        HelpName = "msg/s",
        CustomParser = ParseRate,
    };

    readonly Option<bool> _waitOutcome = new("--wait-outcome")
    {
        Description = "Wait for each message's outcome (submitted or rejected); --wait-outcome false only sends",
        DefaultValueFactory = _ => true,
    };

    readonly Option<TimeSpan> _timeout = new("--timeout")
    {
        Description = "How long after its send each message may take to reach its outcome (and receipts) (e.g. 60s, 5m)",
        HelpName = "duration",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(60),
        CustomParser = result => GlobalOptions.ParseDuration(result, "--timeout"),
    };

    readonly Option<bool> _waitReceipts = new("--wait-receipts")
    {
        Description = "Also wait for the final delivery receipt of every segment",
    };

    public SendCommand(GlobalOptions global, CliEnvironment environment)
        : base("send", "Send an SMS (or --count of them) through the adapter and report each outcome")
    {
        _global = global;
        _environment = environment;
        _encoding.AcceptOnlyFromAmong("auto", "gsm7", "latin9", "ucs2");
        Options.Add(_to);
        Options.Add(_from);
        Options.Add(_text);
        Options.Add(_encoding);
        Options.Add(_connection);
        Options.Add(_noDeliveryReport);
        Options.Add(_validity);
        Options.Add(_schedule);
        Options.Add(_metadata);
        Options.Add(_messageId);
        Options.Add(_count);
        Options.Add(_rate);
        Options.Add(_waitOutcome);
        Options.Add(_timeout);
        Options.Add(_waitReceipts);

        _to.Validators.Add(result => Check(result, result.GetValueOrDefault<string>(), IsInternationalNumber,
            "is not an international number; expected an optional '+' and 7 to 15 digits, not starting with 0, e.g. +34600000000"));
        _from.Validators.Add(ValidateSender);
        _text.Validators.Add(result => Check(result, result.GetValueOrDefault<string>(), text => text.Length > 0, "is empty"));
        _validity.Validators.Add(result => Check(result, result.GetValueOrDefault<string?>(), IsPositiveIsoDuration,
            "is not a positive ISO-8601 duration such as PT1H or P2D"));
        _schedule.Validators.Add(result => Check(result, result.GetValueOrDefault<string?>(), IsTimestampWithOffset,
            "is not an ISO-8601 timestamp with offset such as 2026-12-01T10:00:00+01:00"));
        _metadata.Validators.Add(ValidateMetadata);
        _messageId.Validators.Add(result => Check(result, result.GetValueOrDefault<string?>(),
            id => id.Length > 0 && !id.Any(char.IsWhiteSpace), "must be non-empty and without spaces"));
        Validators.Add(result =>
        {
            // Option results are looked up, not GetValue'd: at this stage an absent option reads as default(T), not its default.
            var waitReceipts = result.GetResult(_waitReceipts)?.GetValueOrDefault<bool>() ?? false;
            if (waitReceipts && (result.GetResult(_noDeliveryReport)?.GetValueOrDefault<bool>() ?? false))
            {
                result.AddError("--wait-receipts needs delivery receipts; drop --no-dlr");
            }

            if (waitReceipts && !(result.GetResult(_waitOutcome)?.GetValueOrDefault<bool>() ?? true))
            {
                result.AddError("--wait-receipts waits for outcomes too; drop --wait-outcome false");
            }
        });

        SetAction(RunAsync);
    }

    /// <summary>The validated plan the parsed options describe; message ids are made distinct for <c>--count</c>.</summary>
    public SendPlan Plan(ParseResult parseResult)
    {
        var count = parseResult.GetValue(_count);
        var baseId = parseResult.GetValue(_messageId) ?? $"cli-{Guid.NewGuid():N}"[..16];
        var metadata = parseResult.GetValue(_metadata) is { Length: > 0 } pairs
            ? pairs.Select(pair => pair.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1])
            : null;
        var encoding = parseResult.GetValue(_encoding);
        var template = new SendSms
        {
            MessageId = baseId,
            From = parseResult.GetValue(_from)!,
            To = parseResult.GetValue(_to)!,
            Text = parseResult.GetValue(_text)!,
            Encoding = encoding is "auto" ? null : encoding,
            RequestDeliveryReport = !parseResult.GetValue(_noDeliveryReport),
            ValidityPeriod = parseResult.GetValue(_validity),
            ScheduleDeliveryTime = parseResult.GetValue(_schedule),
            Connection = parseResult.GetValue(_connection),
            Metadata = metadata,
        };
        var messages = count == 1
            ? [template]
            : Enumerable.Range(1, count).Select(i => template with { MessageId = $"{baseId}-{i}" }).ToList();
        return new SendPlan(messages, parseResult.GetValue(_rate), parseResult.GetValue(_waitOutcome), parseResult.GetValue(_waitReceipts),
            parseResult.GetValue(_timeout));
    }

    async Task<int> RunAsync(ParseResult parseResult, CancellationToken cancellationToken)
    {
        var plan = Plan(parseResult);
        var terminal = new Terminal(_environment, parseResult.GetValue(_global.Json));
        var broker = parseResult.GetValue(_global.RabbitMq)!;
        var subscribe = !plan.WaitOutcome ? EventKinds.None
            : plan.WaitReceipts ? EventKinds.Submitted | EventKinds.Rejected | EventKinds.Delivery
            : EventKinds.Submitted | EventKinds.Rejected;

        var bus = (await BusConnection.ConnectAsync(broker, subscribe, parseResult.GetValue(_global.ConnectTimeout), cancellationToken).ConfigureAwait(false));

        await using var busDisposal = bus.ConfigureAwait(false);
        if (!terminal.Json)
        {
            var first = plan.Messages[0].MessageId;
            terminal.Note(plan.Messages.Count == 1
                ? $"sending {first} to {plan.Messages[0].To} through {broker}"
                : $"sending {plan.Messages.Count} messages ({first} ...) to {plan.Messages[0].To} through {broker}");
        }

        var summary = await SendRun.RunAsync(plan, bus.SendAsync, bus.Events, terminal, _environment.Time, cancellationToken).ConfigureAwait(false);
        Report(summary, plan, terminal);
        return summary.ExitCode;
    }

    static void Report(SendSummary summary, SendPlan plan, Terminal terminal)
    {
        if (terminal.Json)
        {
            terminal.Result(summary.ToJson());
        }
        else if (plan.Messages.Count > 1 || summary.Interrupted)
        {
            foreach (var line in summary.ToLines())
            {
                terminal.Result(line);
            }
        }
        else if (!plan.WaitOutcome)
        {
            terminal.Result($"sent {plan.Messages[0].MessageId}");
        }
        else if (summary.TimedOut > 0)
        {
            terminal.Note($"no outcome for {plan.Messages[0].MessageId} within {plan.Timeout}; is the adapter running and consuming {ContractNames.SendSmsQueue}?");
        }
        else if (summary.ReceiptsTimedOut > 0)
        {
            terminal.Note($"no final delivery receipt for every segment of {plan.Messages[0].MessageId} within {plan.Timeout}");
        }
    }

    static double? ParseRate(ArgumentResult result)
    {
        var text = result.Tokens[0].Value;
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate > 0 && double.IsFinite(rate))
        {
            return rate;
        }

        result.AddError($"--rate {text} must be a number of messages per second above 0");
        return null;
    }

    static void Check(OptionResult result, string? value, Func<string, bool> isValid, string problem)
    {
        if (value is not null && !isValid(value))
        {
            result.AddError($"{result.Option.Name} '{value}' {problem}");
        }
    }

    static void ValidateSender(OptionResult result)
    {
        var sender = result.GetValueOrDefault<string>();
        if (sender is null || IsInternationalNumber(sender))
        {
            return;
        }

        if (sender.Length == 0 || sender.Length > MaxAlphanumericSender || sender.Any(char.IsControl))
        {
            result.AddError($"--from '{sender}' is neither an international number nor an alphanumeric sender id " +
                            $"(1 to {MaxAlphanumericSender} characters; got {sender.Length})");
        }
    }

    static void ValidateMetadata(OptionResult result)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var pair in result.GetValueOrDefault<string[]>() ?? [])
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                result.AddError($"--meta '{pair}' is not key=value");
            }
            else if (!keys.Add(pair[..equals]))
            {
                result.AddError($"--meta key '{pair[..equals]}' is given twice");
            }
        }
    }

    static bool IsInternationalNumber(string value) => InternationalNumber().IsMatch(value);

    static bool IsPositiveIsoDuration(string value)
    {
        try
        {
            return value.StartsWith('P') && XmlConvert.ToTimeSpan(value) > TimeSpan.Zero;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    static bool IsTimestampWithOffset(string value) =>
        TimestampWithOffset().IsMatch(value)
        && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    // E.164: a country code that never starts with 0, at most 15 digits in all; 7 as a sane floor.
    [GeneratedRegex(@"^\+?[1-9][0-9]{6,14}$")]
    private static partial Regex InternationalNumber();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex TimestampWithOffset();
}
