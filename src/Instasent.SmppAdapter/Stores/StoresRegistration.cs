using Instasent.SmppAdapter.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.Stores;

/// <summary>The stores <see cref="StoresOptions.Provider"/> names: in-memory, or Redis over one shared connection.</summary>
public static class StoresRegistration
{
    public static IServiceCollection AddAdapterStores(this IServiceCollection services, AdapterOptions options)
    {
        if (options.Stores.Provider == StoreProvider.Memory)
        {
            services.AddSingleton<IIdempotencyStore, InMemoryIdempotencyStore>();
            services.AddSingleton<ICorrelationStore, InMemoryCorrelationStore>();
            services.AddSingleton<ISubmitProgressStore, InMemorySubmitProgressStore>();
            services.AddSingleton<IInboundPartStore, InMemoryInboundPartStore>();
            services.AddSingleton<IAccountBudgets, InMemoryAccountBudgets>();
            return services;
        }
        services.AddSingleton(options.Stores);
        services.AddSingleton<IConnectionMultiplexer>(_ => Connect(options.Stores));
        services.AddSingleton<IIdempotencyStore, RedisIdempotencyStore>();
        services.AddSingleton<ICorrelationStore, RedisCorrelationStore>();
        services.AddSingleton<ISubmitProgressStore, RedisSubmitProgressStore>();
        services.AddSingleton<IInboundPartStore, RedisInboundPartStore>();
        services.AddSingleton<IAccountBudgets, RedisAccountBudgets>();
        return services;
    }

    /// <summary>
    /// Does not fail when Redis is down at start (<c>AbortOnConnectFail=false</c>): the multiplexer keeps reconnecting,
    /// and store calls fail until it answers.
    /// </summary>
    public static ConnectionMultiplexer Connect(StoresOptions stores)
    {
        var configuration = ConfigurationOptions.Parse(stores.RedisConfiguration);
        configuration.AbortOnConnectFail = false;
        configuration.ClientName ??= "smpp-adapter";
        if (stores.RedisPassword is not null)
        {
            configuration.Password = stores.RedisPassword;
        }
        return ConnectionMultiplexer.Connect(configuration);
    }
}
