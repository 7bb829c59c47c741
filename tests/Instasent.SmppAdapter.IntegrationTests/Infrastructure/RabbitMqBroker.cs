using Instasent.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using Testcontainers.RabbitMq;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

/// <summary>
/// A real RabbitMQ for the integration tests: a Testcontainers broker when Docker answers, else the broker at
/// <c>RABBITMQ_URI</c> (ops/test.sh starts one on 127.0.0.1:5672 and exports it). Neither means the tests FAIL,
/// never skip. Tests share the broker and isolate themselves with <see cref="CreateScopeAsync"/>: unique queue and
/// exchange names, deleted when the scope ends (no management plugin needed).
/// </summary>
public sealed class RabbitMqBroker : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private RabbitMqContainer? _container;
    private Uri? _uri;
    private VirtualHostAdmin? _vhosts;

    /// <summary>amqp:// URI of the broker, credentials included.</summary>
    public Uri Uri => _uri ?? throw new InvalidOperationException("the broker fixture is not started");

    /// <summary>"Testcontainers" or "RABBITMQ_URI": where the broker came from.</summary>
    public string Source { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var containerFailure = await TryContainerAsync();
        if (_uri is not null)
        {
            return;
        }

        var configured = Environment.GetEnvironmentVariable("RABBITMQ_URI");
        if (string.IsNullOrWhiteSpace(configured))
        {
            throw new InvalidOperationException(
                $"No RabbitMQ for the integration tests: Docker/Testcontainers is unavailable ({containerFailure}) and RABBITMQ_URI is not set. " +
                "Run ops/test.sh (it starts a local broker and exports RABBITMQ_URI) or export RABBITMQ_URI=amqp://guest:guest@127.0.0.1:5672/.");
        }
        var uri = new Uri(configured);
        try
        {
            await using var connection = await ConnectAsync(uri);
        }
        catch (Exception e) when (e is BrokerUnreachableException or OperationCanceledException or IOException)
        {
            throw new InvalidOperationException(
                $"No RabbitMQ for the integration tests: Docker/Testcontainers is unavailable ({containerFailure}) and RABBITMQ_URI={Redact(uri)} " +
                $"does not answer ({e.GetBaseException().Message}). Run ops/test.sh, which starts one, or point RABBITMQ_URI at a running broker.", e);
        }
        _uri = uri;
        Source = "RABBITMQ_URI";
    }

    public async Task DisposeAsync()
    {
        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    /// <summary>A new connection to the broker (the caller disposes it).</summary>
    public Task<IConnection> ConnectAsync() => ConnectAsync(Uri);

    /// <summary>Unique names for one test, and their queues and exchanges deleted when it ends.</summary>
    public async Task<RabbitMqScope> CreateScopeAsync() => new(await ConnectAsync());

    /// <summary>
    /// An empty virtual host of its own, deleted on dispose: for code whose queue and exchange names are fixed (the
    /// adapter), where <see cref="CreateScopeAsync"/>'s unique names cannot isolate a test.
    /// </summary>
    public Task<RabbitMqVirtualHost> CreateVirtualHostAsync(string prefix = "itest")
    {
        _vhosts ??= new VirtualHostAdmin(Uri, _container);
        return RabbitMqVirtualHost.CreateAsync(_vhosts, Uri, prefix);
    }

    private async Task<string> TryContainerAsync()
    {
        var (container, failure) = await Containers.TryStartAsync(() => new RabbitMqBuilder("rabbitmq:3.13-alpine").Build(), StartTimeout);
        if (container is null)
        {
            return failure;
        }

        _container = container;
        _uri = new Uri(container.GetConnectionString());
        Source = "Testcontainers";
        return "";
    }

    internal static async Task<IConnection> ConnectAsync(Uri uri)
    {
        using var cts = new CancellationTokenSource(StartTimeout);
        var factory = new ConnectionFactory { Uri = uri, RequestedConnectionTimeout = StartTimeout };
        return await factory.CreateConnectionAsync(cts.Token);
    }

    private static string Redact(Uri uri) =>
        string.IsNullOrEmpty(uri.UserInfo) ? uri.ToString() : uri.ToString().Replace(uri.UserInfo, "***", StringComparison.Ordinal);
}

/// <summary>
/// One test's corner of the shared broker: <see cref="Name"/> makes names no other test uses, and every queue or
/// exchange named through it is deleted on dispose.
/// </summary>
public sealed class RabbitMqScope : IAsyncDisposable
{
    private readonly List<string> _queues = [];
    private readonly List<string> _exchanges = [];
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];

    internal RabbitMqScope(IConnection connection) => Connection = connection;

    public IConnection Connection { get; }

    /// <summary><paramref name="prefix"/> made unique to this scope, e.g. <c>smpp-send-sms.3f2a9c01b4de</c>.</summary>
    public string Name(string prefix) => $"{prefix}.{_suffix}";

    /// <summary>A unique queue name, deleted with the scope (declare it yourself or let the code under test).</summary>
    public string QueueName(string prefix)
    {
        var name = Name(prefix);
        _queues.Add(name);
        return name;
    }

    /// <summary>A unique exchange name, deleted with the scope.</summary>
    public string ExchangeName(string prefix)
    {
        var name = Name(prefix);
        _exchanges.Add(name);
        return name;
    }

    /// <summary>Ready messages in <paramref name="queue"/> (passive declare; fails when the queue does not exist).</summary>
    public async Task<uint> MessageCountAsync(string queue)
    {
        // A passive declare of a missing queue closes its channel (404), so each count gets its own channel.
        await using var channel = await Connection.CreateChannelAsync();
        var ok = await channel.QueueDeclarePassiveAsync(queue);
        return ok.MessageCount;
    }

    /// <summary>True when <paramref name="queue"/> exists on the broker.</summary>
    public async Task<bool> QueueExistsAsync(string queue)
    {
        try
        {
            await MessageCountAsync(queue);
            return true;
        }
        catch (OperationInterruptedException e) when (e.ShutdownReason?.ReplyCode == 404)
        {
            return false;
        }
    }

    /// <summary>Waits until <paramref name="queue"/> holds <paramref name="expected"/> messages; fails after <paramref name="timeout"/>.</summary>
    public Task WaitForMessageCountAsync(string queue, uint expected, TimeSpan timeout) =>
        Eventually.TrueAsync(async () => await MessageCountAsync(queue) == expected, $"queue {queue} to hold {expected} messages", timeout);

    public async Task PurgeAsync(string queue)
    {
        await using var channel = await Connection.CreateChannelAsync();
        await channel.QueuePurgeAsync(queue);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var channel = await Connection.CreateChannelAsync();
            foreach (var queue in _queues)
            {
                await channel.QueueDeleteAsync(queue, ifUnused: false, ifEmpty: false);
            }

            foreach (var exchange in _exchanges)
            {
                await channel.ExchangeDeleteAsync(exchange, ifUnused: false);
            }
        }
        finally
        {
            await Connection.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class RabbitMqCollection : ICollectionFixture<RabbitMqBroker>
{
    public const string Name = "rabbitmq";
}
