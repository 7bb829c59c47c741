using System.Globalization;
using Instasent.Smpp.Messages;
using Instasent.Smpp.Pdus;
using Microsoft.Extensions.Configuration;

namespace Instasent.SmppAdapter.Configuration;

/// <summary>
/// Reads and validates <see cref="AdapterOptions"/> from configuration, collecting one line per problem (the key, the
/// rule and the value) instead of throwing at the first, so a bad deployment is fixed in one round.
/// Environment variables arrive through standard configuration (<c>Smpp__Connections__0__Password</c>).
/// </summary>
public static class AdapterOptionsReader
{
    public static AdapterOptions Read(IConfiguration configuration)
    {
        var errors = new List<string>();
        var r = new Reader(configuration, errors);
        var connections = new List<SmppConnectionOptions>();
        foreach (var section in configuration.GetSection("Smpp:Connections").GetChildren())
        {
            connections.Add(ReadConnection(r, section, connections.Count));
        }
        if (connections.Count == 0)
        {
            errors.Add("Smpp:Connections must hold at least one connection (e.g. Smpp__Connections__0__SystemId)");
        }
        foreach (var duplicate in connections.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add($"Smpp:Connections:*:Name must be unique (\"{duplicate.Key}\" is used {duplicate.Count()} times)");
        }

        var rabbit = new RabbitMqOptions
        {
            Uri = r.Uri("RabbitMq:Uri", new RabbitMqOptions().Uri),
            PrefetchCount = r.OptionalInt("RabbitMq:PrefetchCount", 1, 65535),
        };
        var sending = ReadSending(r);
        var options = new AdapterOptions
        {
            Connections = connections,
            RabbitMq = rabbit,
            Http = new HttpOptions { Urls = r.String("Http:Urls", new HttpOptions().Urls) },
            Telemetry = new TelemetryOptions { ConsoleExporter = r.Bool("Telemetry:ConsoleExporter", false) },
            Sending = sending,
            Stores = ReadStores(r, sending),
        };
        if (errors.Count > 0)
        {
            throw new AdapterConfigurationException(errors);
        }
        return options;
    }

    private static SendingOptions ReadSending(Reader r)
    {
        var d = new SendingOptions();
        var minute = TimeSpan.FromMinutes(1);
        return new SendingOptions
        {
            RetryBudget = r.Duration("Adapter:RetryBudget", d.RetryBudget, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10)),
            ThrottleBackoffMin = r.Duration("Adapter:ThrottleBackoffMin", d.ThrottleBackoffMin, TimeSpan.FromMilliseconds(1), minute),
            ThrottleBackoffMax = r.Duration("Adapter:ThrottleBackoffMax", d.ThrottleBackoffMax, TimeSpan.FromMilliseconds(1), minute),
            MaxUnknownOutcomeResends = r.Int("Adapter:MaxUnknownOutcomeResends", d.MaxUnknownOutcomeResends, 0, 10),
            MaxHandBacks = r.Int("Adapter:MaxHandBacks", d.MaxHandBacks, 0, 1000),
            ReceiptMatchWait = r.Duration("Adapter:ReceiptMatchWait", d.ReceiptMatchWait, TimeSpan.Zero, minute),
            PublishTimeout = r.Duration("Adapter:PublishTimeout", d.PublishTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5)),
            StoreRetention = r.Duration("Adapter:StoreRetention", d.StoreRetention, minute, TimeSpan.FromDays(30)),
            IdempotencyMaxEntries = r.Int("Adapter:IdempotencyMaxEntries", d.IdempotencyMaxEntries, 100, 100_000_000),
            CorrelationMaxEntries = r.Int("Adapter:CorrelationMaxEntries", d.CorrelationMaxEntries, 100, 100_000_000),
            ShutdownTimeout = r.Duration("Adapter:ShutdownTimeout", d.ShutdownTimeout, TimeSpan.Zero, TimeSpan.FromMinutes(10)),
        };
    }

    private static StoresOptions ReadStores(Reader r, SendingOptions sending)
    {
        var d = new StoresOptions();
        var configuration = r.String("Stores:Redis:Configuration", d.RedisConfiguration);
        try
        {
            StackExchange.Redis.ConfigurationOptions.Parse(configuration);
        }
        catch (ArgumentException e)
        {
            // The message names the bad keyword, not the value (the string may hold a password).
            r.Error($"Stores:Redis:Configuration must be a StackExchange.Redis configuration string ({e.Message})");
        }
        var prefix = r.String("Stores:Redis:KeyPrefix", d.KeyPrefix);
        if (prefix.Length is 0 or > 100 || prefix.Any(c => char.IsWhiteSpace(c) || c is '{' or '}'))
        {
            // Braces would change the cluster hash slot the keys of one message share.
            r.Error($"Stores:Redis:KeyPrefix must be 1..100 characters without whitespace or braces (was \"{prefix}\")");
        }
        return new StoresOptions
        {
            Provider = r.Enum("Stores:Provider", d.Provider),
            RedisConfiguration = configuration,
            RedisPassword = r.OptionalString("Stores:Redis:PasswordFile") is { } file ? ReadSecretFile(r, "Stores:Redis:PasswordFile", file) : null,
            KeyPrefix = prefix,
            OutcomeRetention = r.Duration("Stores:OutcomeRetention", d.OutcomeRetention, TimeSpan.FromMinutes(1), TimeSpan.FromDays(90)),
            ClaimLease = r.Duration("Stores:ClaimLease", StoresOptions.DefaultClaimLease(sending), TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)),
        };
    }

    private static SmppConnectionOptions ReadConnection(Reader r, IConfigurationSection section, int index)
    {
        var p = $"Smpp:Connections:{section.Key}:";
        var d = new SmppConnectionOptions { Index = index };
        var name = r.String(p + "Name", index == 0 ? d.Name : $"connection{index}");
        if (!IsQueueSafe(name))
        {
            r.Error($"{p}Name must be 1..64 characters of letters, digits, '-', '_' or '.' (was \"{name}\")");
        }
        var systemId = r.String(p + "SystemId", "");
        if (systemId.Length is 0 or > FieldLimits.SystemId - 1)
        {
            r.Error($"{p}SystemId is required, at most {FieldLimits.SystemId - 1} characters (was {(systemId.Length == 0 ? "empty" : systemId.Length + " characters")})");
        }
        var password = ReadPassword(r, p);
        var systemType = r.String(p + "SystemType", "");
        if (systemType.Length > FieldLimits.SystemType - 1)
        {
            r.Error($"{p}SystemType must be at most {FieldLimits.SystemType - 1} characters (was {systemType.Length})");
        }
        var version = r.String(p + "InterfaceVersion", "3.4");
        if (version is not ("3.4" or "5.0"))
        {
            r.Error($"{p}InterfaceVersion must be 3.4 or 5.0 (was \"{version}\")");
        }
        var options = new SmppConnectionOptions
        {
            Index = index,
            Name = name,
            Host = r.String(p + "Host", d.Host),
            Port = r.Int(p + "Port", d.Port, 1, 65535),
            SystemId = systemId,
            Password = password,
            PasswordFile = r.OptionalString(p + "PasswordFile"),
            SystemType = systemType,
            BindType = r.Enum(p + "BindType", d.BindType),
            InterfaceVersion = version,
            Sessions = r.Int(p + "Sessions", d.Sessions, 1, 64),
            WindowSize = r.Int(p + "WindowSize", d.WindowSize, 1, 1000),
            MaxInboundInFlight = r.Int(p + "MaxInboundInFlight", d.MaxInboundInFlight, 1, 10_000),
            MaxSubmitsPerSecond = r.Int(p + "MaxSubmitsPerSecond", d.MaxSubmitsPerSecond, 0, 100_000),
            EnquireLinkInterval = r.Duration(p + "EnquireLinkInterval", d.EnquireLinkInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1)),
            ResponseTimeout = r.Duration(p + "ResponseTimeout", d.ResponseTimeout, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(5)),
            ConnectTimeout = r.Duration(p + "ConnectTimeout", d.ConnectTimeout, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(5)),
            ReconnectDelayMin = r.Duration(p + "ReconnectDelayMin", d.ReconnectDelayMin, TimeSpan.Zero, TimeSpan.FromHours(1)),
            ReconnectDelayMax = r.Duration(p + "ReconnectDelayMax", d.ReconnectDelayMax, TimeSpan.Zero, TimeSpan.FromHours(1)),
            BindFailureDelay = r.Duration(p + "BindFailureDelay", d.BindFailureDelay, TimeSpan.Zero, TimeSpan.FromHours(24)),
            Segmentation = r.Enum(p + "Segmentation", d.Segmentation),
            MessageIdFormat = r.Enum(p + "MessageIdFormat", d.MessageIdFormat),
            UseTls = r.Bool(p + "UseTls", d.UseTls),
            TlsAllowUntrustedCertificate = r.Bool(p + "TlsAllowUntrustedCertificate", false),
            UnknownOutcome = r.Enum(p + "UnknownOutcome", d.UnknownOutcome),
            MaxSegments = r.Int(p + "MaxSegments", d.MaxSegments, 1, MessageSplitter.MaxSegmentsLimit),
            HighPriorityFlag = (byte)r.Int(p + "HighPriorityFlag", d.HighPriorityFlag, 0, 3),
            HighPriorityWindowShare = r.Double(p + "HighPriorityWindowShare", d.HighPriorityWindowShare, 0, 0.9),
            SourceNumberMinLength = r.Int(p + "SourceNumberMinLength", d.SourceNumberMinLength, 1, 20),
            SourceNumberMaxLength = r.Int(p + "SourceNumberMaxLength", d.SourceNumberMaxLength, 1, 20),
            Source = ReadRule(r, p + "Source:"),
            Destination = ReadRule(r, p + "Destination:"),
        };
        if (options.ReconnectDelayMin > options.ReconnectDelayMax)
        {
            r.Error($"{p}ReconnectDelayMin must not exceed ReconnectDelayMax (was {options.ReconnectDelayMin} > {options.ReconnectDelayMax})");
        }
        if (options.SourceNumberMinLength > options.SourceNumberMaxLength)
        {
            r.Error($"{p}SourceNumberMinLength must not exceed SourceNumberMaxLength (was {options.SourceNumberMinLength} > {options.SourceNumberMaxLength})");
        }
        if (options.Segmentation == SegmentationMode.Udh8 && options.MaxSegments > MessageSplitter.MaxSegmentsLimit)
        {
            r.Error($"{p}MaxSegments must be 1..{MessageSplitter.MaxSegmentsLimit} (was {options.MaxSegments})");
        }
        return options;
    }

    private static string ReadPassword(Reader r, string p)
    {
        var file = r.OptionalString(p + "PasswordFile");
        var password = file is null ? r.String(p + "Password", "") : ReadSecretFile(r, p + "PasswordFile", file);
        if (password is null)
        {
            // Unreadable: that is the problem to report, not an empty password.
            return "";
        }
        if (password.Length is 0 or > FieldLimits.Password - 1)
        {
            // Never print the password itself, only its length.
            r.Error($"{p}Password (or PasswordFile) is required, 1..{FieldLimits.Password - 1} characters (was {password.Length} characters)");
        }
        return password;
    }

    /// <summary>The content of the key-per-file secret <paramref name="file"/> (named at <paramref name="key"/>); null when unreadable.</summary>
    private static string? ReadSecretFile(Reader r, string key, string file)
    {
        try
        {
            // A trailing newline is an editor artefact, never part of a password.
            return File.ReadAllText(file).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            r.Error($"{key} must name a readable file (was \"{file}\": {e.Message})");
            return null;
        }
    }

    private static AddressRule ReadRule(Reader r, string p) => new()
    {
        Ton = r.OptionalEnum<Ton>(p + "Ton"),
        Npi = r.OptionalEnum<Npi>(p + "Npi"),
        KeepPlus = r.Bool(p + "KeepPlus", false),
    };

    private static bool IsQueueSafe(string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private sealed class Reader(IConfiguration configuration, List<string> errors)
    {
        public void Error(string line) => errors.Add(line);

        public string? OptionalString(string key) => configuration[key] is { Length: > 0 } value ? value : null;

        public string String(string key, string fallback) => configuration[key] ?? fallback;

        public int Int(string key, int fallback, int min, int max)
        {
            var raw = configuration[key];
            if (string.IsNullOrWhiteSpace(raw))
            {
                return fallback;
            }
            if (!int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                Error($"{key} must be {min}..{max} (was {raw})");
                return fallback;
            }
            return value;
        }

        public double Double(string key, double fallback, double min, double max)
        {
            var raw = configuration[key];
            if (string.IsNullOrWhiteSpace(raw))
            {
                return fallback;
            }
            if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !(value >= min && value <= max))
            {
                Error($"{key} must be a number within {min.ToString(CultureInfo.InvariantCulture)}..{max.ToString(CultureInfo.InvariantCulture)} (was {raw})");
                return fallback;
            }
            return value;
        }

        public int? OptionalInt(string key, int min, int max) =>
            string.IsNullOrWhiteSpace(configuration[key]) ? null : Int(key, min, min, max);

        public bool Bool(string key, bool fallback)
        {
            var raw = configuration[key];
            if (string.IsNullOrWhiteSpace(raw))
            {
                return fallback;
            }
            if (!bool.TryParse(raw, out var value))
            {
                Error($"{key} must be true or false (was {raw})");
                return fallback;
            }
            return value;
        }

        public TimeSpan Duration(string key, TimeSpan fallback, TimeSpan min, TimeSpan max)
        {
            var raw = configuration[key];
            if (string.IsNullOrWhiteSpace(raw))
            {
                return fallback;
            }
            if (!TimeSpan.TryParse(raw, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            {
                Error($"{key} must be a duration hh:mm:ss within {min}..{max} (was {raw})");
                return fallback;
            }
            return value;
        }

        public TEnum Enum<TEnum>(string key, TEnum fallback) where TEnum : struct, System.Enum =>
            OptionalEnum<TEnum>(key) ?? fallback;

        public TEnum? OptionalEnum<TEnum>(string key) where TEnum : struct, System.Enum
        {
            var raw = configuration[key];
            if (string.IsNullOrWhiteSpace(raw))
            {
                return null;
            }
            // Names, or numbers that are defined values (TON/NPI are usually written as numbers).
            if (System.Enum.TryParse<TEnum>(raw, ignoreCase: true, out var value) && System.Enum.IsDefined(value))
            {
                return value;
            }
            Error($"{key} must be one of {string.Join(" | ", System.Enum.GetNames<TEnum>())} (was {raw})");
            return null;
        }

        public Uri Uri(string key, Uri fallback)
        {
            var raw = configuration[key];
            if (string.IsNullOrWhiteSpace(raw))
            {
                return fallback;
            }
            if (!System.Uri.TryCreate(raw, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
            {
                Error($"{key} must be an amqp:// or amqps:// URI (was {MaskUserInfo(raw)})");
                return fallback;
            }
            return uri;
        }

        private static string MaskUserInfo(string raw)
        {
            var at = raw.IndexOf('@', StringComparison.Ordinal);
            var scheme = raw.IndexOf("://", StringComparison.Ordinal);
            return at > 0 && scheme > 0 && at > scheme ? raw[..(scheme + 3)] + "***" + raw[at..] : raw;
        }
    }
}

/// <summary>Configuration is invalid; <see cref="Problems"/> holds one line per problem.</summary>
public sealed class AdapterConfigurationException(IReadOnlyList<string> problems)
    : Exception("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
