using Instasent.Smpp.Client;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Instasent.SmppAdapter.Inbound;
using Instasent.SmppAdapter.Sending;
using Instasent.SmppAdapter.Sessions;
using Instasent.SmppAdapter.Stores;
using Instasent.SmppAdapter.Telemetry;
using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Instasent.SmppAdapter;

/// <summary>
/// The adapter as a host, its composition root: <see cref="RunAsync"/> for the executable; <see cref="Create"/> for
/// tests, which start it in-process with an <see cref="IConfiguration"/> and stop it (and may swap the transport with
/// MassTransit's <c>AddMassTransitTestHarness()</c>, which production code never knows about).
/// </summary>
/// <remarks>
/// Start order: bus (waits until connected), session event publisher, SMPP pool, connection queue gate. Stop runs in
/// reverse: stop consuming the connection queues (in-flight commands finish or are handed back), unbind every session
/// (each drains its window), stop publishing session events, stop the bus. The whole stop is bounded by
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
        AdapterHost host;
        try
        {
            host = Build(builder, null);
        }
        catch (AdapterConfigurationException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }
        await host.App.RunAsync().ConfigureAwait(false);
        return 0;
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
        var options = AdapterOptionsReader.Read(builder.Configuration);
        builder.WebHost.UseUrls(options.Http.Urls);
        var services = builder.Services;
        services.Configure<HostOptions>(h => h.ShutdownTimeout = options.Sending.ShutdownTimeout);
        services.AddSingleton(options);
        services.AddSingleton(options.Sending);
        services.TryAddSingleton(TimeProvider.System);

        // Bus first: its hosted service must start before (and stop after) the pool and the gate.
        AddBus(services, options);
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
        services.AddHostedService(sp => sp.GetRequiredService<ConnectionQueueGate>());
        services.AddSingleton<ShutdownDrain>();
        services.AddHostedService(sp => sp.GetRequiredService<ShutdownDrain>());

        services.AddHealthChecks().AddCheck<SessionsHealthCheck>("smpp-sessions", tags: ["ready"]).AddCheck<StoresHealthCheck>("stores", tags: ["ready"]);
        AdapterTelemetrySetup.Add(services, options.Telemetry);
        configureServices?.Invoke(services);

        var app = builder.Build();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready"), ResponseWriter = HealthJson.WriteAsync });
        app.MapGet("/sessions", (SessionPool pool) => pool.Snapshot());
        app.MapPrometheusScrapingEndpoint();
        return new AdapterHost(app, options);
    }

    /// <summary>
    /// MassTransit on RabbitMQ with publisher confirms. Each consumer's endpoint (name, concurrency, retry, serializer,
    /// filters) is set by its definition; a connection's queue is connected by <see cref="ConnectionQueueGate"/> only
    /// while the connection has a bound session, so it is left out of <c>ConfigureEndpoints</c>.
    /// </summary>
    private static void AddBus(IServiceCollection services, AdapterOptions options)
    {
        BusPolicy.AddJsonConverter(new LenientSendSmsConverter());
        services.AddMassTransit(bus =>
        {
            // Secure by default: nothing calls out of the deployment unasked (MassTransit would report usage to its vendor).
            bus.DisableUsageTelemetry();
            bus.AddConsumer<SendSmsRouter, SendSmsRouterDefinition>();
            bus.AddConsumer<SendSmsConsumer, SendSmsConsumerDefinition>().ExcludeFromConfigureEndpoints();
            bus.AddConsumer<InboundPartConsumer, InboundPartConsumerDefinition>();
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(options.RabbitMq.Uri, host => host.PublisherConfirmation = true);
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
