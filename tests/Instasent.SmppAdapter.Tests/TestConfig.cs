using Instasent.SmppAdapter.Configuration;
using Microsoft.Extensions.Configuration;

namespace Instasent.SmppAdapter.Tests;

/// <summary>Configuration for tests: one connection "instasent", overridable key by key.</summary>
internal static class TestConfig
{
    public static IConfiguration Build(IDictionary<string, string?>? overrides = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:Name"] = "instasent",
            ["Smpp:Connections:0:Host"] = "127.0.0.1",
            ["Smpp:Connections:0:Port"] = "2775",
            ["Smpp:Connections:0:SystemId"] = "myuser",
            ["Smpp:Connections:0:Password"] = "mypass",
            ["Http:Urls"] = "http://127.0.0.1:0",
        };
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        return new ConfigurationBuilder().AddInMemoryCollection(values).Build();
    }

    public static AdapterOptions Options(IDictionary<string, string?>? overrides = null) => AdapterOptionsBinding.Load(Build(overrides));
}
