using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Sending;
using Instasent.SmppAdapter.Sessions;
using Instasent.SmppAdapter.Simulator;
using Instasent.Testing;
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

    private readonly Recorder _recorder = new();

    private AdapterUnderTest(SmscSimulator smsc, AdapterHost host)
    {
        Smsc = smsc;
        Host = host;
        Harness = host.Services.GetRequiredService<ITestHarness>();
        var bus = host.Services.GetRequiredService<IBus>();
        bus.ConnectPublishObserver(_recorder);
        bus.ConnectSendObserver(_recorder);
    }

    /// <summary>Messages published so far (no waiting, unlike the harness's Select).</summary>
    public IReadOnlyList<T> Published<T>() where T : class => _recorder.Published.OfType<T>().ToList();

    /// <summary>Messages sent so far, with their headers.</summary>
    public IReadOnlyList<(T Message, Headers Headers)> Sent<T>() where T : class =>
        _recorder.Sent.Where(s => s.Message is T).Select(s => ((T)s.Message, s.Headers)).ToList();

    public SmscSimulator Smsc { get; }
    public AdapterHost Host { get; }
    public ITestHarness Harness { get; }
    public SessionPool Pool => Host.Services.GetRequiredService<SessionPool>();
    public ConnectionQueueGate Gate => Host.Services.GetRequiredService<ConnectionQueueGate>();

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
            // MassTransit publishes, so its in-memory harness sees the events.
            ["RabbitMq:Publisher"] = "MassTransit",
        };
        foreach (var (key, value) in config ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }
        var host = AdapterHost.Create(TestConfig.Build(values), s =>
        {
            // The production bus set-up, on MassTransit's in-memory transport.
            s.AddMassTransitTestHarness();
            s.AddOptions<TestHarnessOptions>().Configure(o =>
            {
                o.TestTimeout = TimeSpan.FromSeconds(60);
                o.TestInactivityTimeout = TimeSpan.FromSeconds(1);
            });
            services?.Invoke(s);
        });
        var under = new AdapterUnderTest(smsc, host);
        await host.StartAsync();
        if (waitForBind)
        {
            // Bound, and its queue consumed (the in-memory transport, unlike RabbitMQ, drops what is sent to a queue
            // that was never consumed).
            await under.UntilAsync(() => under.Pool.Connections.All(c => c.HasBoundTransmitter && under.Gate.IsOpen(c.Name)), "a bound session");
        }
        return under;
    }

    public async Task SendAsync(SendSms command)
    {
        var endpoint = await Harness.Bus.GetSendEndpoint(new Uri($"queue:{SendSms.QueueName}"));
        await endpoint.Send(command);
    }

    public Task<T> PublishedAsync<T>(Func<T, bool>? match = null) where T : class =>
        Eventually.ValueAsync(() => Published<T>().FirstOrDefault(m => match?.Invoke(m) ?? true), $"a matching {typeof(T).Name}", Wait);

    public Task UntilAsync(Func<bool> condition, string what) => Eventually.TrueAsync(condition, what, Wait);

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

    private sealed class Recorder : IPublishObserver, ISendObserver
    {
        public readonly System.Collections.Concurrent.ConcurrentQueue<object> Published = new();
        public readonly System.Collections.Concurrent.ConcurrentQueue<(object Message, Headers Headers)> Sent = new();

        public Task PostPublish<T>(PublishContext<T> context) where T : class
        {
            Published.Enqueue(context.Message);
            return Task.CompletedTask;
        }

        public Task PostSend<T>(SendContext<T> context) where T : class
        {
            Sent.Enqueue((context.Message, context.Headers));
            return Task.CompletedTask;
        }

        public Task PrePublish<T>(PublishContext<T> context) where T : class => Task.CompletedTask;
        public Task PublishFault<T>(PublishContext<T> context, Exception exception) where T : class => Task.CompletedTask;
        public Task PreSend<T>(SendContext<T> context) where T : class => Task.CompletedTask;
        public Task SendFault<T>(SendContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }
}
