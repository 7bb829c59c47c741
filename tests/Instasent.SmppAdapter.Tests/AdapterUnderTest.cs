using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Pool;
using Instasent.SmppAdapter.Simulator;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Instasent.SmppAdapter.Tests;

/// <summary>
/// The adapter hosted in-process on MassTransit's in-memory harness, bound to an in-process simulator on an ephemeral
/// loopback port. Every wait is bounded.
/// </summary>
internal sealed class AdapterUnderTest : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);

    private AdapterUnderTest(SmscSimulator smsc, AdapterHost host)
    {
        Smsc = smsc;
        Host = host;
        Harness = host.Services.GetRequiredService<ITestHarness>();
    }

    public SmscSimulator Smsc { get; }
    public AdapterHost Host { get; }
    public ITestHarness Harness { get; }
    public SmppPool Pool => Host.Services.GetRequiredService<SmppPool>();

    public static async Task<AdapterUnderTest> StartAsync(
        IDictionary<string, string?>? config = null,
        SimulatorOptions? simulator = null,
        Action<IServiceCollection>? services = null,
        bool waitForBind = true)
    {
        var smsc = new SmscSimulator((simulator ?? new SimulatorOptions()) with
        {
            Port = 0,
            Accounts = simulator?.Accounts is { Count: > 0 } accounts ? accounts : [new SimulatorAccount("myuser", "mypass")],
            ReceiptDelay = simulator?.ReceiptDelay ?? TimeSpan.FromMilliseconds(20),
        });
        await smsc.StartAsync();
        var values = new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:Port"] = smsc.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smpp:Connections:0:Sessions"] = "1",
            ["Smpp:Connections:0:ReconnectDelayMin"] = "00:00:00.050",
            ["Smpp:Connections:0:ReconnectDelayMax"] = "00:00:00.200",
            ["Smpp:Connections:0:BindFailureDelay"] = "00:00:00.500",
            ["Smpp:Connections:0:ResponseTimeout"] = "00:00:02",
            ["Adapter:ThrottleBackoffMin"] = "00:00:00.020",
            ["Adapter:ThrottleBackoffMax"] = "00:00:00.200",
            ["Adapter:RetryBudget"] = "00:00:10",
            ["Adapter:ShutdownTimeout"] = "00:00:05",
        };
        foreach (var (key, value) in config ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var host = AdapterHost.Create(TestConfig.Build(values), AdapterTransport.InMemoryTestHarness, s =>
        {
            s.AddOptions<TestHarnessOptions>().Configure(o =>
            {
                o.TestTimeout = TimeSpan.FromSeconds(60);
                o.TestInactivityTimeout = Wait;
            });
            services?.Invoke(s);
        });
        var under = new AdapterUnderTest(smsc, host);
        await host.StartAsync();
        if (waitForBind)
        {
            await under.UntilAsync(() => under.Pool.Connections.All(c => c.HasBoundTransmitter), "a bound session");
        }
        return under;
    }

    public async Task SendAsync(SendSms command)
    {
        var endpoint = await Harness.Bus.GetSendEndpoint(new Uri($"queue:{SendSms.QueueName}"));
        await endpoint.Send(command);
    }

    public async Task<T> PublishedAsync<T>(Func<T, bool>? match = null) where T : class
    {
        using var timeout = new CancellationTokenSource(Wait);
        Assert.True(await Harness.Published.Any<T>(m => match?.Invoke(m.Context.Message) ?? true, timeout.Token), $"no {typeof(T).Name} published within {Wait}");
        return Harness.Published.Select<T>(m => match?.Invoke(m.Context.Message) ?? true).First().Context.Message;
    }

    public async Task UntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out after {Wait} waiting for {what}");
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(Wait);
        try
        {
            await Host.StopAsync(timeout.Token);
        }
        finally
        {
            await Host.DisposeAsync();
            await Smsc.DisposeAsync();
        }
    }
}
