using System.Collections.Concurrent;
using System.Globalization;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Sending;
using Instasent.SmppAdapter.Sessions;
using Instasent.SmppAdapter.Simulator;
using Instasent.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

/// <summary>
/// The adapter as it runs in production (AdapterHost on RabbitMQ, real sockets), in-process: its own empty RabbitMQ
/// virtual host, the in-process SMSC simulator on an ephemeral loopback port, and a <see cref="BusClient"/> standing in
/// for the upstream services. Every wait is bounded.
/// </summary>
public sealed class AdapterOnBroker : IAsyncDisposable
{
    /// <summary>The longest any single condition is waited for (generous: the CI machine is small and shared).</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(90);

    private readonly SimulatorOptions _simulatorOptions;
    private readonly ConcurrentQueue<ReceivedSubmit> _accepted = new();
    private readonly List<SmscSimulator> _retired = [];
    private readonly List<AdapterHost> _replicas = [];
    private IConfiguration _configuration = null!;

    private AdapterOnBroker(RabbitMqVirtualHost virtualHost, BusClient bus, SmscSimulator smsc, SimulatorOptions simulatorOptions)
    {
        VirtualHost = virtualHost;
        Bus = bus;
        Smsc = smsc;
        _simulatorOptions = simulatorOptions;
        smsc.SubmitAccepted += _accepted.Enqueue;
    }

    public RabbitMqVirtualHost VirtualHost { get; }
    public BusClient Bus { get; }
    public SmscSimulator Smsc { get; private set; }
    public AdapterHost Host { get; private set; } = null!;

    /// <summary>The adapter's last log lines, warnings and above unless a test lowers a category's level.</summary>
    public RecentLogs Logs { get; } = new();
    public SessionPool Pool => Host.Services.GetRequiredService<SessionPool>();
    public ConnectionQueueGate Gate => Host.Services.GetRequiredService<ConnectionQueueGate>();

    /// <summary>Every submit_sm any simulator of this run accepted (across <see cref="RestartSmscAsync"/>).</summary>
    public IReadOnlyList<ReceivedSubmit> AcceptedSubmits => _accepted.ToArray();

    /// <summary>
    /// Starts it all. <paramref name="config"/> overrides the defaults below key by key (<c>Smpp:Connections:0:Port</c>
    /// is the simulator's unless overridden); <paramref name="services"/> runs last (e.g. an in-memory exporter).
    /// </summary>
    public static async Task<AdapterOnBroker> StartAsync(RabbitMqBroker broker,
        IDictionary<string, string?>? config = null,
        SimulatorOptions? simulator = null,
        Action<IServiceCollection>? services = null,
        bool waitForBind = true,
        Func<Uri, Uri>? adapterBrokerUri = null) =>
        await StartAsync(await broker.CreateVirtualHostAsync(), config, simulator, services, waitForBind, adapterBrokerUri);

    /// <summary>
    /// <see cref="StartAsync(RabbitMqBroker, IDictionary{string, string?}?, SimulatorOptions?, Action{IServiceCollection}?, bool, Func{Uri, Uri}?)"/>
    /// on a virtual host made elsewhere (e.g. on the test cluster), which this run deletes when it ends;
    /// <paramref name="busClientUri"/> picks where the test's own client connects (default: the vhost's URI).
    /// </summary>
    public static async Task<AdapterOnBroker> StartAsync(RabbitMqVirtualHost virtualHost,
        IDictionary<string, string?>? config = null,
        SimulatorOptions? simulator = null,
        Action<IServiceCollection>? services = null,
        bool waitForBind = true,
        Func<Uri, Uri>? adapterBrokerUri = null,
        Func<Uri, Uri>? busClientUri = null)
    {
        var simulatorOptions = (simulator ?? new SimulatorOptions { ReceiptDelay = TimeSpan.FromMilliseconds(50) }) with { Port = 0 };
        if (simulatorOptions.Accounts.Count == 0)
        {
            simulatorOptions = simulatorOptions with { Accounts = [new SimulatorAccount("myuser", "mypass")] };
        }

        BusClient? bus = null;
        SmscSimulator? smsc = null;
        AdapterOnBroker? run = null;
        try
        {
            bus = await BusClient.StartAsync(busClientUri?.Invoke(virtualHost.Uri) ?? virtualHost.Uri);
            smsc = new SmscSimulator(simulatorOptions);
            await smsc.StartAsync();
            run = new AdapterOnBroker(virtualHost, bus, smsc, simulatorOptions with { Port = smsc.Port });

            var values = new Dictionary<string, string?>
            {
                // The adapter may reach the broker another way (e.g. through a chaos proxy) than the test's own client.
                ["RabbitMq:Uri"] = (adapterBrokerUri?.Invoke(virtualHost.Uri) ?? virtualHost.Uri).ToString(),
                ["Http:Urls"] = "http://127.0.0.1:0",
                ["Smpp:Connections:0:Name"] = "instasent",
                ["Smpp:Connections:0:Host"] = "127.0.0.1",
                ["Smpp:Connections:0:Port"] = smsc.Port.ToString(CultureInfo.InvariantCulture),
                ["Smpp:Connections:0:SystemId"] = "myuser",
                ["Smpp:Connections:0:Password"] = "mypass",
                ["Smpp:Connections:0:Sessions"] = "2",
                ["Smpp:Connections:0:WindowSize"] = "20",
                ["Smpp:Connections:0:ReconnectDelayMin"] = "00:00:00.100",
                ["Smpp:Connections:0:ReconnectDelayMax"] = "00:00:00.500",
                ["Smpp:Connections:0:BindFailureDelay"] = "00:00:01",
                ["Smpp:Connections:0:ResponseTimeout"] = "00:00:05",
                ["Smpp:Connections:0:EnquireLinkInterval"] = "00:00:05",
                ["Adapter:ThrottleBackoffMin"] = "00:00:00.020",
                ["Adapter:ThrottleBackoffMax"] = "00:00:00.200",
                ["Adapter:RetryBudget"] = "00:00:20",
                ["Adapter:ShutdownTimeout"] = "00:00:05",
                // Faults are the point of these tests: keep their expected reconnect warnings out of the output, and the
                // warnings for RecentLogs, which a timed-out wait prints.
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:Console:LogLevel:Default"] = "Error",
            };
            foreach (var (key, value) in config ?? new Dictionary<string, string?>())
            {
                values[key] = value;
            }
            // Every configured connection points at the simulator unless its port is given.
            foreach (var index in values.Keys.Select(k => k.Split(':')).Where(p => p is ["Smpp", "Connections", _, ..]).Select(p => p[2]).Distinct().ToList())
            {
                values.TryAdd($"Smpp:Connections:{index}:Port", smsc.Port.ToString(CultureInfo.InvariantCulture));
            }
            // Keys overridden to null are removed (e.g. a second connection's defaults).
            foreach (var key in values.Where(v => v.Value is null).Select(v => v.Key).ToList())
            {
                values.Remove(key);
            }

            run._configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
            run.Host = AdapterHost.Create(run._configuration, s =>
            {
                s.AddSingleton<ILoggerProvider>(run.Logs);
                services?.Invoke(s);
            });
            using (var starting = new CancellationTokenSource(Wait))
            {
                await run.Host.StartAsync(starting.Token).WaitAsync(Wait);
            }
            if (waitForBind)
            {
                await run.UntilAsync(() => IsReady(run.Host), "every connection bound and its queue consumed, and smpp-send-sms consumed");
            }
            return run;
        }
        catch
        {
            if (run is not null)
            {
                await run.DisposeAsync();
            }
            else
            {
                if (smsc is not null)
                {
                    await smsc.DisposeAsync();
                }

                if (bus is not null)
                {
                    await bus.DisposeAsync();
                }

                await virtualHost.DisposeAsync();
            }
            throw;
        }
    }

    /// <summary>Stops the simulator (every session sees its connection end, new connections are refused).</summary>
    public Task StopSmscAsync() => Smsc.StopAsync().WaitAsync(Wait);

    /// <summary>The simulator resets every connection (TCP RST, no unbind) and keeps listening.</summary>
    public Task DropSmscConnectionsAsync() => Smsc.DropAllConnectionsAsync().WaitAsync(Wait);

    /// <summary>A new simulator on the same port, options and accounts (a simulator cannot be started twice).</summary>
    public async Task RestartSmscAsync()
    {
        await Smsc.StopAsync().WaitAsync(Wait);
        _retired.Add(Smsc);
        var smsc = new SmscSimulator(_simulatorOptions);
        smsc.SubmitAccepted += _accepted.Enqueue;
        await smsc.StartAsync();
        Smsc = smsc;
    }

    /// <summary>
    /// Another adapter process on the same configuration, virtual host and simulator account (a second replica),
    /// started and (unless <paramref name="waitForBind"/> is false) bound; stopped and disposed with this run.
    /// <paramref name="overrides"/> changes keys for this replica only (e.g. reaching the SMSC or Redis through a proxy).
    /// </summary>
    public async Task<AdapterHost> StartReplicaAsync(IDictionary<string, string?>? overrides = null, bool waitForBind = true)
    {
        var configuration = overrides is null
            ? _configuration
            : new ConfigurationBuilder().AddConfiguration(_configuration).AddInMemoryCollection(overrides).Build();
        var replica = AdapterHost.Create(configuration);
        _replicas.Add(replica);
        using (var starting = new CancellationTokenSource(Wait))
        {
            await replica.StartAsync(starting.Token).WaitAsync(Wait);
        }
        if (waitForBind)
        {
            await UntilAsync(() => IsReady(replica), "every connection of the replica bound and its queue consumed, and smpp-send-sms consumed");
        }
        return replica;
    }

    /// <summary>
    /// Whether every connection of <paramref name="host"/> has a bound session and its queues consumed, and
    /// <c>smpp-send-sms</c> is consumed, so its queue and bindings are declared: the RabbitMQ.Client consumer's own
    /// connection may come up after the sessions bind (MassTransit's endpoint comes with its bus).
    /// </summary>
    private static bool IsReady(AdapterHost host)
    {
        var gate = host.Services.GetRequiredService<ConnectionQueueGate>();
        return host.Services.GetRequiredService<SessionPool>().Connections.All(c => c.HasBoundTransmitter && gate.IsOpen(c.Name))
            && host.Services.GetService<SendSmsQueueConsumer>() is not { IsConsuming: false };
    }

    /// <summary>Waits for <paramref name="condition"/>; fails naming <paramref name="what"/> after <paramref name="timeout"/> (default <see cref="Wait"/>).</summary>
    public Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        UntilAsync(() => Task.FromResult(condition()), what, timeout);

    /// <summary><see cref="UntilAsync(Func{bool}, string, TimeSpan?)"/> for a condition that asks the broker.</summary>
    public async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        try
        {
            await Eventually.TrueAsync(condition, what, timeout ?? Wait);
        }
        catch (TimeoutException e)
        {
            // What the adapter and the broker looked like then: a wait that times out on CI is diagnosed from this alone.
            throw new TimeoutException($"{e.Message}\n{await DescribeAsync()}", e);
        }
    }

    /// <summary>
    /// The adapter's health checks and the message counts of the command queues, each read within a few seconds (a
    /// broker that does not answer is reported as such).
    /// </summary>
    public async Task<string> DescribeAsync()
    {
        var lines = new List<string>();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            var health = await Host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(limit.Token);
            lines.AddRange(health.Entries.Select(entry => $"health {entry.Key}: {entry.Value.Status} {entry.Value.Description}"));
        }
        catch (Exception e)
        {
            lines.Add($"health: {e.GetType().Name} {e.Message}");
        }
        try
        {
            var factory = new RabbitMQ.Client.ConnectionFactory { Uri = VirtualHost.Uri, ClientProvidedName = "itest diagnostics" };
            await using var connection = await factory.CreateConnectionAsync(limit.Token);
            var options = Host.Services.GetRequiredService<Configuration.AdapterOptions>();
            var queues = new List<string> { Contracts.SendSms.QueueName, QueueTopology.ErrorQueueName(Contracts.SendSms.QueueName) };
            queues.AddRange(options.Connections.SelectMany(c => new[] { c.QueueName, c.HighQueueName, QueueTopology.ErrorQueueName(c.QueueName) }));
            foreach (var queue in queues)
            {
                // A passive declare of a missing queue closes its channel (404): one channel per queue.
                await using var channel = await connection.CreateChannelAsync(cancellationToken: limit.Token);
                try
                {
                    var ok = await channel.QueueDeclarePassiveAsync(queue, limit.Token);
                    lines.Add($"queue {queue}: {ok.MessageCount} ready, {ok.ConsumerCount} consumers");
                }
                catch (RabbitMQ.Client.Exceptions.OperationInterruptedException missing) when (missing.ShutdownReason?.ReplyCode == 404)
                {
                    lines.Add($"queue {queue}: does not exist");
                }
            }
        }
        catch (Exception e)
        {
            lines.Add($"broker: {e.GetType().Name} {e.Message}");
        }
        lines.AddRange(await BrokerViewAsync());
        lines.Add($"the adapter's last log lines (RecentLogs; seconds since the run began):");
        lines.AddRange(Logs.Lines.Select(line => "  " + line));
        return string.Join("\n", lines);
    }

    /// <summary>
    /// What only the broker's own tool shows, when it runs here (Debian's broker): each queue's unacknowledged messages
    /// (a message a consumer holds is neither ready nor gone) and which connection's channel consumes it.
    /// </summary>
    private async Task<IEnumerable<string>> BrokerViewAsync()
    {
        var ctl = VirtualHostAdmin.LocalCtlPath();
        if (ctl is null || !System.Net.IPAddress.TryParse(VirtualHost.Uri.Host, out var address) || !System.Net.IPAddress.IsLoopback(address))
        {
            return ["rabbitmqctl: not available for this broker"];
        }
        var lines = new List<string>();
        foreach (string[] arguments in (string[][])[
            ["list_queues", "-q", "-p", VirtualHost.Name, "name", "messages_ready", "messages_unacknowledged", "consumers"],
            ["list_consumers", "-q", "-p", VirtualHost.Name, "queue_name", "channel_pid", "ack_required", "prefetch_count"],
            ["list_channels", "-q", "name", "vhost", "messages_unacknowledged", "messages_unconfirmed", "consumer_count"]])
        {
            try
            {
                var (exitCode, stdout, stderr) = await ExternalCommand.RunAsync(ctl, arguments, TimeSpan.FromSeconds(15));
                lines.Add($"rabbitmqctl {arguments[0]} (exit {exitCode}):");
                lines.AddRange((stdout + stderr).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                    .Where(line => arguments[0] != "list_channels" || line.Contains(VirtualHost.Name, StringComparison.Ordinal))
                    .Select(line => "  " + line));
            }
            catch (Exception e)
            {
                lines.Add($"rabbitmqctl {arguments[0]}: {e.GetType().Name} {e.Message}");
            }
        }
        return lines;
    }

    /// <summary>
    /// Tears down in order, each step bounded: a step that hangs fails the test naming the step (and the others still
    /// run) instead of hanging the whole run.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        var failures = new List<Exception>();
        async Task StepAsync(string what, Func<Task> step)
        {
            try
            {
                await step().WaitAsync(TimeSpan.FromSeconds(30));
            }
            catch (TimeoutException)
            {
                failures.Add(new TimeoutException($"tearing down: {what} did not finish within 30 s"));
            }
            catch (Exception e)
            {
                failures.Add(e);
            }
        }

        foreach (var replica in _replicas)
        {
            await StepAsync("stopping a replica", async () =>
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                await replica.StopAsync(timeout.Token);
            });
            await StepAsync("disposing a replica", () => replica.DisposeAsync().AsTask());
        }
        if (Host is not null)
        {
            await StepAsync("stopping the adapter", async () =>
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                await Host.StopAsync(timeout.Token);
            });
            await StepAsync("disposing the adapter", () => Host.DisposeAsync().AsTask());
        }
        await StepAsync("stopping the simulator", () => Smsc.DisposeAsync().AsTask());
        foreach (var retired in _retired)
        {
            await StepAsync("disposing a stopped simulator", () => retired.DisposeAsync().AsTask());
        }

        await StepAsync("closing the bus client", () => Bus.DisposeAsync().AsTask());
        await StepAsync($"deleting vhost {VirtualHost.Name}", () => VirtualHost.DisposeAsync().AsTask());
        if (failures.Count > 0)
        {
            throw new AggregateException(failures);
        }
    }
}
