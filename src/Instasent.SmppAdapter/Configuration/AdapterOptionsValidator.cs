using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Instasent.SmppAdapter.Configuration;

/// <summary>
/// Validates <see cref="AdapterOptions"/> at start-up, one line per problem naming the key, the rule and the value
/// (passwords only by length), so a bad deployment is fixed in one round: unknown keys (with the closest valid one),
/// values that do not convert, <see cref="System.ComponentModel.DataAnnotations.RangeAttribute"/>s, then the rules
/// between keys, which only code can say.
/// </summary>
public sealed class AdapterOptionsValidator(IConfiguration configuration) : IValidateOptions<AdapterOptions>
{
    public ValidateOptionsResult Validate(string? name, AdapterOptions options)
    {
        var shape = OptionsShape.Check(configuration, typeof(AdapterOptions));
        var problems = shape.Problems.ToList();
        OptionsShape.CheckRanges(options, shape.Bindable, null, problems);
        Rules(options, shape, problems);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private void Rules(AdapterOptions options, OptionsShape.Result shape, List<string> problems)
    {
        var sections = shape.Bindable.GetSection("Smpp:Connections").GetChildren().ToList();
        if (options.Connections.Count == 0)
        {
            problems.Add("Smpp:Connections must hold at least one connection (e.g. Smpp__Connections__0__SystemId)");
        }
        foreach (var duplicate in options.Connections.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            problems.Add($"Smpp:Connections:*:Name must be unique (\"{duplicate.Key}\" is used {duplicate.Count()} times)");
        }
        foreach (var c in options.Connections)
        {
            Connection(c, $"{sections[c.Index].Path}:", shape, problems);
        }

        var uri = options.RabbitMq.Uri;
        if (!shape.Rejected.Contains("RabbitMq:Uri") && (!uri.IsAbsoluteUri || uri.Scheme is not ("amqp" or "amqps")))
        {
            problems.Add($"RabbitMq:Uri must be an amqp:// or amqps:// URI (was {OptionsShape.MaskUserInfo(uri.OriginalString)})");
        }

        // A connection queue's endpoint stopping while the SMSC is away waits for the commands it holds, each up to the
        // retry budget: the stall watchdog must not take that wait for a stuck endpoint.
        if (options.RabbitMq.StalledEndpointTimeout is { } stall
            && (stall < TimeSpan.Zero || (stall > TimeSpan.Zero && stall <= options.Sending.LongestAttempt())))
        {
            problems.Add($"RabbitMq:StalledEndpointTimeout must be 0 (off) or longer than Adapter:RetryBudget + Adapter:ShutdownTimeout ({options.Sending.LongestAttempt()}; was {stall})");
        }

        foreach (var node in options.RabbitMq.ClusterNodes)
        {
            // MassTransit's ClusterNode format: a host, or host:port (no IPv6 literal: its parser splits on every ':').
            var parts = node.Split(':');
            if (!(parts.Length is 1 or 2 && Uri.CheckHostName(parts[0]) != UriHostNameType.Unknown
                  && (parts.Length == 1 || (int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) && port is >= 1 and <= 65535))))
            {
                problems.Add($"RabbitMq:ClusterNodes must be host or host:port entries, port 1..65535 (was \"{node}\")");
            }
        }

        try
        {
            StackExchange.Redis.ConfigurationOptions.Parse(options.Stores.RedisConfiguration);
        }
        catch (ArgumentException e)
        {
            // The message names the bad keyword, not the value (the string may hold a password).
            problems.Add($"Stores:Redis:Configuration must be a StackExchange.Redis configuration string ({e.Message})");
        }
        var prefix = options.Stores.KeyPrefix;
        if (prefix.Length is 0 or > 100 || prefix.Any(c => char.IsWhiteSpace(c) || c is '{' or '}'))
        {
            // Braces would change the cluster hash slot the keys of one message share.
            problems.Add($"Stores:Redis:KeyPrefix must be 1..100 characters without whitespace or braces (was \"{prefix}\")");
        }

        if (!string.IsNullOrWhiteSpace(configuration["Http:Urls"]) && configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            problems.Add("Http:Urls and Kestrel:Endpoints are both set; Kestrel would listen on Kestrel:Endpoints only: keep one");
        }
    }

    private static void Connection(SmppConnectionOptions c, string p, OptionsShape.Result shape, List<string> problems)
    {
        if (!IsQueueSafe(c.Name))
        {
            problems.Add($"{p}Name must be 1..64 characters of letters, digits, '-', '_' or '.' (was \"{c.Name}\")");
        }
        if (c.SystemId.Length is 0 or > FieldLimits.SystemId - 1)
        {
            problems.Add($"{p}SystemId is required, at most {FieldLimits.SystemId - 1} characters (was {(c.SystemId.Length == 0 ? "empty" : c.SystemId.Length + " characters")})");
        }
        // An unreadable PasswordFile is the problem to report, not the empty password it leaves.
        if (!shape.Rejected.Contains(p + "PasswordFile") && c.Password.Length is 0 or > FieldLimits.Password - 1)
        {
            // Never print the password itself, only its length.
            problems.Add($"{p}Password (or PasswordFile) is required, 1..{FieldLimits.Password - 1} characters (was {c.Password.Length} characters)");
        }
        if (c.SystemType.Length > FieldLimits.SystemType - 1)
        {
            problems.Add($"{p}SystemType must be at most {FieldLimits.SystemType - 1} characters (was {c.SystemType.Length})");
        }
        if (c.InterfaceVersion is not ("3.4" or "5.0"))
        {
            problems.Add($"{p}InterfaceVersion must be 3.4 or 5.0 (was \"{c.InterfaceVersion}\")");
        }
        if (c.MaxBinds > 0 && c.BindsPerProcess > c.MaxBinds)
        {
            // Binds past the account's limit could never be made by this process, whichever store shares the slots.
            problems.Add($"{p}Sessions must not need more binds than MaxBinds ({c.Sessions} {c.BindType} sessions make {c.BindsPerProcess} binds > MaxBinds {c.MaxBinds})");
        }
        if (c.ReconnectDelayMin > c.ReconnectDelayMax)
        {
            problems.Add($"{p}ReconnectDelayMin must not exceed ReconnectDelayMax (was {c.ReconnectDelayMin} > {c.ReconnectDelayMax})");
        }
        if (c.SourceNumberMinLength > c.SourceNumberMaxLength)
        {
            problems.Add($"{p}SourceNumberMinLength must not exceed SourceNumberMaxLength (was {c.SourceNumberMinLength} > {c.SourceNumberMaxLength})");
        }
    }

    private static bool IsQueueSafe(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
