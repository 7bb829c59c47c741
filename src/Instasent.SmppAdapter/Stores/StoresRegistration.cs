using Instasent.SmppAdapter.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.Stores;

/// <summary>The stores <see cref="StoresOptions.Provider"/> names: in-memory, or Redis over one shared connection.</summary>
public static class StoresRegistration
{
    /// <summary>Each store the adapter keeps state in, with its in-memory and its Redis implementation.</summary>
    private static readonly (Type Store, Type InMemory, Type Redis)[] Stores =
    [
        (typeof(IIdempotencyStore), typeof(InMemoryIdempotencyStore), typeof(RedisIdempotencyStore)),
        (typeof(ICorrelationStore), typeof(InMemoryCorrelationStore), typeof(RedisCorrelationStore)),
        (typeof(ISubmitProgressStore), typeof(InMemorySubmitProgressStore), typeof(RedisSubmitProgressStore)),
        (typeof(IInboundPartStore), typeof(InMemoryInboundPartStore), typeof(RedisInboundPartStore)),
        (typeof(IAccountBudgets), typeof(InMemoryAccountBudgets), typeof(RedisAccountBudgets)),
    ];

    public static IServiceCollection AddAdapterStores(this IServiceCollection services, AdapterOptions options)
    {
        var inMemory = options.Stores.Provider == StoreProvider.Memory;
        if (!inMemory)
        {
            services.AddSingleton(options.Stores);
            services.AddSingleton<IConnectionMultiplexer>(_ => Connect(options.Stores));
        }
        foreach (var (store, memoryImplementation, redisImplementation) in Stores)
        {
            services.AddSingleton(store, inMemory ? memoryImplementation : redisImplementation);
        }
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
