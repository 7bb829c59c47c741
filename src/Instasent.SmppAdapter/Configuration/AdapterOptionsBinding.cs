using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Instasent.SmppAdapter.Configuration;

/// <summary>
/// <see cref="AdapterOptions"/> through the options pattern: bound from <see cref="IConfiguration"/> by
/// <c>ConfigurationBinder</c>, completed (connection positions and default names, key-per-file secrets, the claim lease
/// derived from the retry budget), validated by <see cref="AdapterOptionsValidator"/> with <c>ValidateOnStart</c>.
/// Environment variables arrive through standard configuration (<c>Smpp__Connections__0__Password</c>).
/// </summary>
public static class AdapterOptionsBinding
{
    /// <summary>Registers <c>IOptions&lt;AdapterOptions&gt;</c>, validated when the host starts, and <see cref="AdapterOptions"/> itself.</summary>
    public static IServiceCollection AddAdapterOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AdapterOptions>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdapterOptions>>(new AdapterOptionsValidator(configuration));
        services.AddSingleton<IOptionsFactory<AdapterOptions>>(sp => new Factory(
            configuration,
            sp.GetServices<IConfigureOptions<AdapterOptions>>(),
            sp.GetServices<IPostConfigureOptions<AdapterOptions>>(),
            sp.GetServices<IValidateOptions<AdapterOptions>>()));
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<AdapterOptions>>().Value);
        return services;
    }

    /// <summary>
    /// The options now, through the same factory and validator; for the composition root, which needs them to choose
    /// services (which store, which connections) before there is a container. Throws
    /// <see cref="AdapterConfigurationException"/> with one line per problem.
    /// </summary>
    public static AdapterOptions Load(IConfiguration configuration)
    {
        try
        {
            return new Factory(configuration, [], [], [new AdapterOptionsValidator(configuration)]).Create(Options.DefaultName);
        }
        catch (OptionsValidationException e)
        {
            throw new AdapterConfigurationException(e.Failures.ToList());
        }
    }

    /// <summary>Binds what <see cref="OptionsShape.Check"/> lets through, then derives what configuration does not say.</summary>
    internal static AdapterOptions Bind(IConfiguration configuration)
    {
        var bindable = OptionsShape.Check(configuration, typeof(AdapterOptions)).Bindable;
        var options = bindable.Get<AdapterOptions>() ?? new AdapterOptions();
        OptionsShape.ReadSecretFiles(options);
        var connections = bindable.GetSection(OptionsShape.KeyOf(typeof(AdapterOptions).GetProperty(nameof(AdapterOptions.Connections))!)).GetChildren().ToList();
        return options with
        {
            Connections = options.Connections.Select((c, i) => c with
            {
                Index = i,
                Name = connections[i][nameof(SmppConnectionOptions.Name)] is null ? DefaultConnectionName(i) : c.Name,
            }).ToList(),
            Stores = bindable["Stores:ClaimLease"] is null ? options.Stores with { ClaimLease = StoresOptions.DefaultClaimLease(options.Sending) } : options.Stores,
        };
    }

    private static string DefaultConnectionName(int index) => index == 0 ? new SmppConnectionOptions().Name : $"connection{index}";

    /// <summary>The standard options factory, creating the instance by binding instead of with <c>new()</c> (the records are init-only).</summary>
    private sealed class Factory(
        IConfiguration configuration,
        IEnumerable<IConfigureOptions<AdapterOptions>> setups,
        IEnumerable<IPostConfigureOptions<AdapterOptions>> postConfigures,
        IEnumerable<IValidateOptions<AdapterOptions>> validations)
        : OptionsFactory<AdapterOptions>(setups, postConfigures, validations)
    {
        protected override AdapterOptions CreateInstance(string name) => Bind(configuration);
    }
}

/// <summary>Configuration is invalid; <see cref="Problems"/> holds one line per problem.</summary>
public sealed class AdapterConfigurationException(IReadOnlyList<string> problems)
    : Exception("Invalid configuration:" + Environment.NewLine + string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
