using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Xml;

namespace Instasent.SmppAdapter.Cli;

/// <summary>The options every command takes: where the broker and the adapter are, and the output format.</summary>
internal sealed class GlobalOptions
{
    public const string RabbitMqEnvironmentVariable = "RabbitMq__Uri";
    public const string DefaultAdapterUrl = "http://127.0.0.1:8080";

    public Option<BrokerAddress> RabbitMq { get; } = new("--rabbitmq")
    {
        Description = $"RabbitMQ URI; defaults to ${RabbitMqEnvironmentVariable} when set",
        HelpName = "uri",
        Recursive = true,
        CustomParser = result => ParseBroker(result, result.Tokens[0].Value, "--rabbitmq"),
        DefaultValueFactory = result => Environment.GetEnvironmentVariable(RabbitMqEnvironmentVariable) is { Length: > 0 } fromEnvironment
            ? ParseBroker(result, fromEnvironment, RabbitMqEnvironmentVariable)
            : ParseBroker(result, BrokerAddress.Default, "--rabbitmq"),
    };

    public Option<Uri> AdapterUrl { get; } = new("--adapter-url")
    {
        Description = "The adapter's HTTP address, as in its Http__Urls",
        HelpName = "url",
        Recursive = true,
        CustomParser = result => ParseHttpUrl(result, result.Tokens[0].Value),
        DefaultValueFactory = _ => new Uri(DefaultAdapterUrl),
    };

    public Option<TimeSpan> ConnectTimeout { get; } = new("--connect-timeout")
    {
        Description = "How long to wait for the broker (connection, and each send's confirm) before giving up",
        HelpName = "duration",
        Recursive = true,
        DefaultValueFactory = _ => TimeSpan.FromSeconds(10),
        CustomParser = result => ParseDuration(result, "--connect-timeout"),
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print results as JSON, one object per line",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(RabbitMq);
        root.Options.Add(AdapterUrl);
        root.Options.Add(ConnectTimeout);
        root.Options.Add(Json);
    }

    /// <summary>
    /// A positive duration: <c>500ms</c>, <c>60s</c>, <c>1.5m</c>, <c>2h</c>, an ISO-8601 duration (<c>PT1M</c>) or
    /// <c>hh:mm:ss</c>; on failure the error names the option and the accepted forms.
    /// </summary>
    public static TimeSpan ParseDuration(ArgumentResult result, string option)
    {
        var text = result.Tokens[0].Value.Trim();
        if (TryParseDuration(text, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        result.AddError($"{option} '{text}' is not a positive duration; use e.g. 500ms, 60s, 5m, 1h or PT1M");
        return default;
    }

    /// <summary>A whole number of at least 1; on failure the error names the option and the value.</summary>
    public static int ParseCount(ArgumentResult result, string option)
    {
        var text = result.Tokens[0].Value;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 1)
        {
            return count;
        }

        result.AddError($"{option} {text} must be a whole number, at least 1");
        return default;
    }

    static bool TryParseDuration(string text, out TimeSpan value)
    {
        value = default;
        (string Suffix, Func<double, TimeSpan> Make)[] units =
        [
            ("ms", TimeSpan.FromMilliseconds), ("s", TimeSpan.FromSeconds), ("m", TimeSpan.FromMinutes), ("h", TimeSpan.FromHours),
        ];
        foreach (var (suffix, make) in units)
        {
            if (text.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)
                && double.TryParse(text[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                value = make(number);
                return true;
            }
        }

        if (text.StartsWith('P'))
        {
            try
            {
                value = XmlConvert.ToTimeSpan(text);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }

    static BrokerAddress ParseBroker(ArgumentResult result, string text, string source)
    {
        if (BrokerAddress.TryParse(text, out var address, out var error))
        {
            return address;
        }

        result.AddError($"{source}: {error}");
        return null!;
    }

    static Uri ParseHttpUrl(ArgumentResult result, string text)
    {
        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return uri;
        }

        result.AddError($"--adapter-url '{text}' is not an http(s) URL such as {DefaultAdapterUrl}");
        return null!;
    }
}
