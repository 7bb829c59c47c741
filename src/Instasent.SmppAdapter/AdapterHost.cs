using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Inbound;
using Instasent.SmppAdapter.Sending;
using Instasent.SmppAdapter.Sessions;
using Instasent.SmppAdapter.Stores;
using Instasent.SmppAdapter.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Instasent.SmppAdapter;

/// <summary>
/// The adapter as a host, its composition root: <see cref="RunAsync"/> for the executable; <see cref="Create"/> for
/// tests, which start it in-process with an <see cref="IConfiguration"/> and stop it (and may swap the transport with
/// MassTransit's <c>AddMassTransitTestHarness()</c>, which production code never knows about).
/// </summary>
/// <remarks>
/// Start order: broker publisher (connects in the background), bus, session event publisher, SMPP pool, connection queue
/// gate. Stop runs in reverse: stop consuming the connection queues (in-flight commands finish or are handed back),
/// unbind every session (each drains its window), stop publishing session events, stop the bus, close the publisher. The whole stop is bounded by
/// <c>Adapter:ShutdownTimeout</c> (30 s).
/// </remarks>
public sealed class AdapterHost : IAsyncDisposable
{
    private AdapterHost(WebApplication app, AdapterOptions options)
    {
        App = app;
        Options = options;
    }

    public WebApplication App { get; }

    public AdapterOptions Options { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>The HTTP addresses Kestrel listens on (after start; <c>Http:Urls</c> with port 0 gets an ephemeral one).</summary>
    public IReadOnlyList<Uri> HttpAddresses =>
        App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => new Uri(a)).ToList() ?? [];

    /// <summary>Runs the service; exit code 2 with one line per problem when the configuration is invalid.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        try
        {
            var host = Build(builder, null);
            // Resolved before the run: RunAsync disposes the host's services when it returns.
            var watchdog = host.Services.GetService<EndpointStallWatchdog>();
            using var hardExit = ExitIfAStalledStopHangs(host, watchdog);
            await host.App.RunAsync().ConfigureAwait(false);
            return watchdog?.Stalled is null ? 0 : EndpointStallWatchdog.ExitCode;
        }
        catch (AdapterConfigurationException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }
        catch (OptionsValidationException e)
        {
            // ValidateOnStart: the same lines, should the options be found invalid only when the host starts.
            await Console.Error.WriteLineAsync(new AdapterConfigurationException(e.Failures.ToList()).Message).ConfigureAwait(false);
            return 2;
        }
    }

    /// <summary>
    /// When <see cref="EndpointStallWatchdog"/> stops the host, the stop may itself wait on the stuck endpoint: past the
    /// shutdown budget and a margin the process exits anyway, so its supervisor can start it again. Only the real
    /// process does this (RunAsync); a host made by <see cref="Create"/> in a test is stopped, never exited.
    /// </summary>
    private static IDisposable ExitIfAStalledStopHangs(AdapterHost host, EndpointStallWatchdog? watchdog)
    {
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        return lifetime.ApplicationStopping.Register(() =>
        {
            if (watchdog?.Stalled is null)
            {
                return;
            }
            var budget = host.Options.Sending.ShutdownTimeout + TimeSpan.FromSeconds(15);
            _ = Task.Delay(budget).ContinueWith(_ =>
            {
                Console.Error.WriteLine($"The stop after a stalled endpoint did not finish within {budget}; exiting with code {EndpointStallWatchdog.ExitCode}.");
                Environment.Exit(EndpointStallWatchdog.ExitCode);
            }, TaskScheduler.Default);
        });
    }

    /// <summary>
    /// A host reading only <paramref name="configuration"/>; <paramref name="configureServices"/> runs last, so tests can
    /// replace services (e.g. a FakeTimeProvider) or add an in-memory exporter. Throws
    /// <see cref="AdapterConfigurationException"/> for invalid configuration.
    /// </summary>
    public static AdapterHost Create(IConfiguration configuration, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddConfiguration(configuration);
        return Build(builder, configureServices);
    }

    public Task StartAsync(CancellationToken cancellationToken = default) => App.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => App.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync() => await App.DisposeAsync().ConfigureAwait(false);

    private static AdapterHost Build(WebApplicationBuilder builder, Action<IServiceCollection>? configureServices)
    {
        // Loaded now as well as through IOptions: the composition below depends on it (which store, which connections).
        var options = AdapterOptionsBinding.Load(builder.Configuration);
        ListenOn(builder, options.Http);
        var services = builder.Services;
        services.Configure<HostOptions>(h => h.ShutdownTimeout = options.Sending.ShutdownTimeout);
        services.AddAdapterOptions(builder.Configuration);
        services.AddSingleton(sp => sp.GetRequiredService<AdapterOptions>().Sending);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PublishDeadlines>();

        // The broker publisher first: it must stop after everything that publishes, MassTransit's consumers included
        // (the bus stops last of the rest and its consumers publish until it has). Then the bus: its hosted service must
        // start before (and stop after) the pool and the gate.
        AddBrokerPublisher(services, options);
        AddBus(services, options);
        AddCommandConsumer(services, options);
        services.AddSingleton<SessionEventChannel>();
        services.AddHostedService<SessionEventPublisher>();
        services.AddAdapterStores(options);
        services.AddSingleton<StoreAvailability>();
        services.AddHostedService(sp => sp.GetRequiredService<StoreAvailability>());
        services.AddSingleton<SendSmsValidator>();
        services.AddSingleton<MessageSubmitter>();
        services.AddSingleton<OutcomePublisher>();
        services.AddSingleton<InboundExpiryReporter>();
        services.AddHostedService(sp => sp.GetRequiredService<InboundExpiryReporter>());
        services.AddSingleton<ISmppInboundHandler, DeliverSmHandler>();
        services.AddSingleton<SessionPool>();
        services.AddHostedService(sp => sp.GetRequiredService<SessionPool>());
        services.AddSingleton<ConnectionQueueGate>();
        services.AddSingleton<DirectSubmitSlots>();
        services.AddHostedService(sp => sp.GetRequiredService<ConnectionQueueGate>());
        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());

        services.AddHealthChecks().AddCheck<SessionsHealthCheck>("smpp-sessions", tags: ["ready"]).AddCheck<StoresHealthCheck>("stores", tags: ["ready"]);
        AdapterTelemetrySetup.Add(services, options.Telemetry);
        configureServices?.Invoke(services);

        var app = builder.Build();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = HealthJson.WriteAsync });
        app.MapGet("/sessions", (SessionPool pool) => pool.Snapshot());
        app.MapPrometheusScrapingEndpoint();
        return new AdapterHost(app, options);
    }

    /// <summary>
    /// Where Kestrel listens. <c>Http:Urls</c>, the adapter's own key, wins over the standard <c>urls</c>
    /// (<c>ASPNETCORE_URLS</c>, <c>--urls</c>) and <c>http_ports</c>/<c>https_ports</c>; with none of them the adapter
    /// listens on loopback only (<see cref="HttpOptions.Urls"/>). <c>Kestrel:Endpoints</c> (and every other
    /// <c>Kestrel:*</c> setting) is Kestrel's own configuration and applies as in any ASP.NET Core service.
    /// </summary>
    private static void ListenOn(WebApplicationBuilder builder, HttpOptions http)
    {
        var configuration = builder.Configuration;
        var standard = new[] { WebHostDefaults.ServerUrlsKey, WebHostDefaults.HttpPortsKey, WebHostDefaults.HttpsPortsKey }
            .Any(key => !string.IsNullOrWhiteSpace(configuration[key])) || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
        if (!string.IsNullOrWhiteSpace(http.Urls) && (!string.IsNullOrWhiteSpace(configuration["Http:Urls"]) || !standard))
        {
            builder.WebHost.UseUrls(http.Urls);
        }
        else if (!standard)
        {
            // Http:Urls exported empty: the default, not Kestrel's own (localhost:5000).
            builder.WebHost.UseUrls(new HttpOptions().Urls);
        }
    }

    /// <summary>
    /// What publishes the events and forwards the commands (<c>RabbitMq:Publisher</c>). RabbitMQ.Client's is a hosted
    /// service registered before the bus, so it connects first and closes after everything that publishes (MassTransit's
    /// consumers run until the bus stops), and is part of readiness.
    /// </summary>
    private static void AddBrokerPublisher(IServiceCollection services, AdapterOptions options)
    {
        if (options.RabbitMq.Publisher == BrokerPublisherKind.MassTransit)
        {
            services.AddSingleton<IBrokerPublisher, MassTransitBrokerPublisher>();
            return;
        }
        services.AddSingleton(sp => sp.GetRequiredService<AdapterOptions>().RabbitMq);
        services.AddSingleton<RabbitMqBrokerPublisher>();
        services.AddSingleton<IBrokerPublisher>(sp => sp.GetRequiredService<RabbitMqBrokerPublisher>());
        services.AddHostedService(sp => sp.GetRequiredService<RabbitMqBrokerPublisher>());
        services.AddHealthChecks().AddCheck<RabbitMqBrokerPublisher>("broker-publisher", tags: ["ready"]);
        // Tells a stuck MassTransit endpoint from a broker outage by the publisher's own connection (MassTransit's
        // in-memory test harness has neither, hence only here).
        services.AddSingleton<IBrokerConnectionState>(sp => sp.GetRequiredService<RabbitMqBrokerPublisher>());
        services.AddSingleton<IEndpointHealthSource>(sp => new EndpointHealthSources(
            [new BusEndpointHealth(sp.GetRequiredService<IBusControl>()), .. sp.GetServices<SendSmsQueueConsumer>()]));
        services.AddSingleton<EndpointStallWatchdog>();
        services.AddHostedService(sp => sp.GetRequiredService<EndpointStallWatchdog>());
        services.AddHealthChecks().AddCheck<EndpointStallWatchdog>("endpoint-stall", tags: ["live"]);
    }

    /// <summary>
    /// The consumer of the command queues on RabbitMQ.Client (<c>RabbitMq:Consumer</c>; <c>smpp-send-sms</c>, and the
    /// connections' queues while the gate keeps them open), or else MassTransit's endpoints for the connections' queues:
    /// registered after the bus, so it starts after it and stops before it, after the gate and the sessions (as the bus's
    /// own endpoints would), and before the publisher it forwards and moves faults with. Part of readiness, and watched for
    /// a stall like MassTransit's endpoints.
    /// </summary>
    private static void AddCommandConsumer(IServiceCollection services, AdapterOptions options)
    {
        if (!options.RabbitMq.ConsumesCommandsOnRabbitMqClient)
        {
            services.AddSingleton<IConnectionLanes, MassTransitConnectionLanes>();
            return;
        }
        services.AddSingleton<SendSmsQueueConsumer>();
        services.AddSingleton<IConnectionLanes>(sp => sp.GetRequiredService<SendSmsQueueConsumer>());
        services.AddHostedService(sp => sp.GetRequiredService<SendSmsQueueConsumer>());
        services.AddHealthChecks().AddCheck<SendSmsQueueConsumer>("send-sms-consumer", tags: ["ready"]);
    }

    /// <summary>
    /// How the adapter reads and writes every message (<see cref="LenientSendSmsConverter"/>, compact JSON): once per
    /// process, before the first message is read or written. A test assembly that uses MassTransit's serializer options
    /// itself calls it from a module initializer.
    /// </summary>
    public static void ConfigureMessageJson()
    {
        BusPolicy.AddJsonConverter(new LenientSendSmsConverter());
        BusPolicy.WriteCompactJson();
    }

    /// <summary>
    /// MassTransit on RabbitMQ with publisher confirms. Each consumer's endpoint (name, concurrency, retry, serializer,
    /// filters) is set by its definition; a connection's queue is connected by <see cref="ConnectionQueueGate"/> only
    /// while the connection has a bound session, so it is left out of <c>ConfigureEndpoints</c>.
    /// </summary>
    private static void AddBus(IServiceCollection services, AdapterOptions options)
    {
        ConfigureMessageJson();
        services.AddMassTransit(bus =>
        {
            // Secure by default: nothing calls out of the deployment unasked (MassTransit would report usage to its vendor).
            if (!options.Telemetry.MassTransitUsageTelemetry)
            {
                bus.DisableUsageTelemetry();
            }
            var router = bus.AddConsumer<SendSmsRouter, SendSmsRouterDefinition>();
            if (options.RabbitMq.ConsumesCommandsOnRabbitMqClient)
            {
                // Registered for SendSmsQueueConsumer to resolve, without an endpoint of MassTransit's.
                router.ExcludeFromConfigureEndpoints();
            }
            bus.AddConsumer<SendSmsConsumer, SendSmsConsumerDefinition>().ExcludeFromConfigureEndpoints();
            bus.AddConsumer<InboundPartConsumer, InboundPartConsumerDefinition>();
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(options.RabbitMq.Uri, host =>
                {
                    host.PublisherConfirmation = true;
                    // Credentials given apart (RabbitMq:Username, RabbitMq:PasswordFile…) win over any inside the URI.
                    if (options.RabbitMq.Username is { Length: > 0 } username)
                    {
                        host.Username(username);
                    }
                    if (options.RabbitMq.Password is { Length: > 0 } password)
                    {
                        host.Password(password);
                    }
                    if (options.RabbitMq.ClusterNodes.Count > 0)
                    {
                        // Tried in turn, one per connection attempt: losing the node the adapter is connected to
                        // reconnects it to the next one (queues are declared again, consumers resume).
                        host.UseCluster(cluster =>
                        {
                            foreach (var node in options.RabbitMq.ClusterNodes)
                            {
                                cluster.Node(node);
                            }
                        });
                    }
                });
                QueueTopology.ConfigureFaultQueues(cfg, options.RabbitMq);
                cfg.ConfigureEndpoints(context);
            });
        });
        services.AddOptions<MassTransitHostOptions>().Configure(host =>
        {
            // Not waiting for the broker: HTTP serves from the start (live 200, ready 503 naming what is missing), and the
            // bus connects, and its queues are consumed, whenever the broker comes.
            host.WaitUntilStarted = false;
            host.StopTimeout = options.Sending.ShutdownTimeout;
        });
    }
}
