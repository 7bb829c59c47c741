using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Instasent.SmppAdapter.Tests.Hosting;

/// <summary>
/// Hosted services stop in reverse registration order, so what publishes must stop before what it publishes through:
/// the broker publisher last of all, after MassTransit's bus (whose consumers publish until it has stopped), and the
/// bus after the SMPP pool (from the production composition: the host is built, never started).
/// </summary>
public sealed class StopOrderTests
{
    [Fact]
    public async Task The_broker_publisher_stops_after_the_bus_and_the_bus_after_the_session_pool()
    {
        await using var host = AdapterHost.Create(TestConfig.Build());
        var services = host.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();

        var publisher = services.IndexOf(nameof(RabbitMqBrokerPublisher));
        var bus = services.FindIndex(name => name.StartsWith("MassTransit", StringComparison.Ordinal));
        var pool = services.IndexOf(nameof(SessionPool));
        Assert.True(publisher >= 0 && bus >= 0 && pool >= 0, string.Join(", ", services));
        // Started in this order, stopped in the reverse one.
        Assert.True(publisher < bus && bus < pool, string.Join(", ", services));
    }
}
