using System.Net;
using Instasent.SmppAdapter.Configuration;

namespace Instasent.SmppAdapter.Tests.Configuration;

/// <summary>Where the adapter serves HTTP: its own Http:Urls, or ASP.NET Core's standard settings, on real sockets.</summary>
public sealed class HttpEndpointTests
{
    [Fact]
    public async Task The_standard_urls_setting_is_honoured_without_Http_Urls()
    {
        // "urls" is the key ASPNETCORE_URLS, DOTNET_URLS and --urls set.
        var address = await LiveAddressAsync(new Dictionary<string, string?> { ["Http:Urls"] = null, ["urls"] = "http://127.0.0.2:0" });

        Assert.Equal("127.0.0.2", address.Host);
    }

    [Fact]
    public async Task Kestrel_endpoints_from_configuration_are_honoured_without_Http_Urls()
    {
        var address = await LiveAddressAsync(new Dictionary<string, string?> { ["Http:Urls"] = null, ["Kestrel:Endpoints:Health:Url"] = "http://127.0.0.3:0" });

        Assert.Equal("127.0.0.3", address.Host);
    }

    [Fact]
    public async Task Http_Urls_wins_over_the_standard_urls_setting()
    {
        var address = await LiveAddressAsync(new Dictionary<string, string?> { ["Http:Urls"] = "http://127.0.0.1:0", ["urls"] = "http://127.0.0.2:0" });

        Assert.Equal("127.0.0.1", address.Host);
    }

    [Fact]
    public void Http_Urls_and_Kestrel_endpoints_together_are_refused()
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?> { ["Kestrel:Endpoints:Health:Url"] = "http://127.0.0.1:0" }));

        Assert.Equal(["Http:Urls and Kestrel:Endpoints are both set; Kestrel would listen on Kestrel:Endpoints only: keep one"], e.Problems);
    }

    /// <summary>The one address the adapter listens on, after checking /health/live answers there.</summary>
    private static async Task<Uri> LiveAddressAsync(Dictionary<string, string?> config)
    {
        await using var adapter = await AdapterUnderTest.StartAsync(config, waitForBind: false);
        var address = Assert.Single(adapter.Host.HttpAddresses);
        using var http = new HttpClient { BaseAddress = address, Timeout = AdapterUnderTest.Wait };
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode);
        Assert.NotEqual(0, address.Port);
        return address;
    }
}
