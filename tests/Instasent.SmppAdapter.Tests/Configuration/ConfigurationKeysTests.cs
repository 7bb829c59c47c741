using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Instasent.SmppAdapter.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Instasent.SmppAdapter.Tests.Configuration;

/// <summary>The keys the adapter knows are its options types' properties: nothing else to write for a new one.</summary>
public sealed class ConfigurationKeysTests
{
    [Theory]
    [InlineData("Smpp:Connections:0:WindowSzie", "Smpp:Connections:0:WindowSize")]
    [InlineData("Smpp:Connections:0:Pasword", "Smpp:Connections:0:Password")]
    [InlineData("Smpp:Connections:0:Source:KeepPlu", "Smpp:Connections:0:Source:KeepPlus")]
    [InlineData("RabbitMq:Prefetch", "RabbitMq:PrefetchCount")]
    [InlineData("RabbitMq:PasswordFiles", "RabbitMq:PasswordFile")]
    [InlineData("Adapter:RetryBudgt", "Adapter:RetryBudget")]
    [InlineData("Stores:Redis:KeyPrefx", "Stores:Redis:KeyPrefix")]
    [InlineData("Stores:Provder", "Stores:Provider")]
    [InlineData("Http:Url", "Http:Urls")]
    [InlineData("Telemetry:ConsoleExport", "Telemetry:ConsoleExporter")]
    public void A_misspelt_key_is_refused_naming_the_closest_valid_one(string misspelt, string meant)
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?> { [misspelt] = "1" }));

        Assert.Equal([$"{misspelt} is not a known key; did you mean {meant}?"], e.Problems);
    }

    [Fact]
    public void A_misspelt_section_is_refused_once_not_key_by_key()
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?>
        {
            ["Adaptor:RetryBudget"] = "00:00:10",
            ["Adaptor:MaxHandBacks"] = "3",
            ["Smpp:Connection:0:Port"] = "2775",
        }));

        Assert.Equal(["Adaptor is not a known key; did you mean Adapter?", "Smpp:Connection is not a known key; did you mean Smpp:Connections?"], e.Problems.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Sections_that_are_not_the_adapters_are_left_alone()
    {
        var options = TestConfig.Options(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Warning",
            ["Kestrel:Limits:MaxConcurrentConnections"] = "100",
            ["OTEL_SERVICE_NAME"] = "adapter",
            ["SMPP_HOST"] = "127.0.0.1",
            ["Path"] = "/usr/bin",
            ["Smtp:Host"] = "mail.example",
        });

        Assert.Equal("instasent", Assert.Single(options.Connections).Name);
    }

    [Fact]
    public void Derived_and_computed_properties_are_not_keys()
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:Index"] = "3",
            ["Smpp:Connections:0:QueueName"] = "elsewhere",
        }));

        Assert.Equal(2, e.Problems.Count);
        Assert.All(e.Problems, p => Assert.Contains("is not a known key", p, StringComparison.Ordinal));
    }

    [Fact]
    public void A_value_where_a_section_belongs_and_items_not_numbered_are_refused()
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:Source"] = "International",
            ["Smpp:Connections:first:Name"] = "x",
        }));

        Assert.Contains("Smpp:Connections:0:Source is a section (set the keys below it), not a value", e.Problems);
        Assert.Contains("Smpp:Connections:first is not a known key (Smpp:Connections takes items numbered 0, 1, 2…)", e.Problems);
        Assert.Equal(2, e.Problems.Count);
    }

    /// <summary>
    /// Every settable property of every options type, found by reflection as a new one would be, given a value that is
    /// not its default: each binds under its key and none is refused as unknown.
    /// </summary>
    [Fact]
    public void Every_property_of_the_options_types_binds_from_its_key()
    {
        var keys = new List<(string Key, string Raw, object Expected, Func<AdapterOptions, object?> Actual)>();
        Collect(typeof(AdapterOptions), null, o => o, keys);
        var values = keys.ToDictionary(k => k.Key, k => (string?)k.Raw);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();

        Assert.Empty(OptionsShape.Check(configuration, typeof(AdapterOptions)).Problems);
        var options = AdapterOptionsBinding.Bind(configuration);
        Assert.All(keys, k => Assert.True(Equals(k.Expected, k.Actual(options)), $"{k.Key}={k.Raw} bound as {k.Actual(options)}"));
        Assert.Contains(keys, k => k.Key == "Smpp:Connections:0:WindowSize");
        Assert.Contains(keys, k => k.Key == "Stores:Redis:KeyPrefix");
        Assert.Contains(keys, k => k.Key == "Adapter:MaxHandBacks");
        Assert.True(keys.Count > 50, $"{keys.Count} keys");
    }

    [Fact]
    public void Every_range_is_checked_after_binding_naming_key_rule_and_value()
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:HighPriorityFlag"] = "4",
            ["Smpp:Connections:0:EnquireLinkInterval"] = "02:00:00",
            ["RabbitMq:PrefetchCount"] = "0",
            ["Stores:ClaimLease"] = "00:00:00.5",
        }));

        Assert.Equal(
            [
                "RabbitMq:PrefetchCount must be 1..65535 (was 0)",
                "Smpp:Connections:0:EnquireLinkInterval must be a duration hh:mm:ss within 00:00:00.1000000..01:00:00 (was 02:00:00)",
                "Smpp:Connections:0:HighPriorityFlag must be 0..3 (was 4)",
                "Stores:ClaimLease must be a duration hh:mm:ss within 00:00:01..01:00:00 (was 00:00:00.5)",
            ],
            e.Problems.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Options_are_validated_when_the_host_starts()
    {
        var configuration = TestConfig.Build(new Dictionary<string, string?> { ["Smpp:Connections:0:WindowSzie"] = "10" });
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddAdapterOptions(configuration);
        using var host = builder.Build();

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Equal(["Smpp:Connections:0:WindowSzie is not a known key; did you mean Smpp:Connections:0:WindowSize?"], e.Failures);
    }

    [Fact]
    public void The_options_in_the_container_are_those_bound_from_configuration()
    {
        var services = new ServiceCollection().AddAdapterOptions(TestConfig.Build(new Dictionary<string, string?> { ["Smpp:Connections:0:WindowSize"] = "7" }));
        using var provider = services.BuildServiceProvider();

        Assert.Equal(7, provider.GetRequiredService<IOptions<AdapterOptions>>().Value.Connections[0].WindowSize);
        Assert.Same(provider.GetRequiredService<IOptions<AdapterOptions>>().Value, provider.GetRequiredService<AdapterOptions>());
    }

    private static void Collect(Type type, string? path, Func<AdapterOptions, object?> get, List<(string, string, object, Func<AdapterOptions, object?>)> keys)
    {
        foreach (var property in OptionsShape.Keys(type))
        {
            var key = path is null ? OptionsShape.KeyOf(property) : $"{path}:{OptionsShape.KeyOf(property)}";
            object? Getter(AdapterOptions o) => get(o) is { } parent ? property.GetValue(parent) : null;
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (property.GetCustomAttribute<SecretFileAttribute>() is not null)
            {
                // Its value names a file: SecretsTests read them.
                continue;
            }
            if (propertyType.IsGenericType && propertyType.GetGenericTypeDefinition() == typeof(IReadOnlyList<>))
            {
                var itemType = propertyType.GetGenericArguments()[0];
                Collect(itemType, $"{key}:0", o => Getter(o) is System.Collections.IList { Count: > 0 } list ? list[0] : null, keys);
            }
            else if (Sample(propertyType, property.GetCustomAttribute<RangeAttribute>()) is var (raw, expected))
            {
                keys.Add((key, raw, expected, Getter));
            }
            else
            {
                Collect(propertyType, key, Getter, keys);
            }
        }
    }

    /// <summary>A valid value of <paramref name="type"/> unlike its default (the range's maximum), or null for a section.</summary>
    private static (string Raw, object Expected)? Sample(Type type, RangeAttribute? range)
    {
        if (type == typeof(string))
        {
            return ("sample-value", "sample-value");
        }
        if (type == typeof(bool))
        {
            return ("true", true);
        }
        if (type.IsEnum)
        {
            var last = Enum.GetValues(type).Cast<object>().Last();
            return (last.ToString()!, last);
        }
        if (type == typeof(TimeSpan))
        {
            var value = range is null ? TimeSpan.FromSeconds(7) : TimeSpan.Parse((string)range.Maximum, CultureInfo.InvariantCulture);
            return (value.ToString("c", CultureInfo.InvariantCulture), value);
        }
        if (type == typeof(Uri))
        {
            return ("amqps://broker.example:5671/vhost", new Uri("amqps://broker.example:5671/vhost"));
        }
        if (type.IsPrimitive)
        {
            var value = Convert.ChangeType(range?.Maximum ?? 7, type, CultureInfo.InvariantCulture);
            return (Convert.ToString(value, CultureInfo.InvariantCulture)!, value);
        }
        return null;
    }
}
