using System.Net.Sockets;
using Instasent.Smpp.TestSupport.Peers;
using Instasent.Testing;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

/// <summary>
/// A 3-node RabbitMQ cluster on loopback (rabbit1..3@localhost, AMQP on 127.0.0.1:5701..5703) for quorum-queue and
/// node-loss tests, made by <c>ops/lib/rabbitmq-cluster.sh</c> (Debian's rabbitmq-server; root, or sudo). A cluster
/// whose three nodes already answer is used as it is and left running; one this fixture started is stopped (and its
/// directories deleted) on dispose. The single broker on 5672 that the other tests use is not touched. Every
/// operation is bounded by <see cref="CommandTimeout"/>; starting takes about a minute on a busy 2-core machine.
/// </summary>
public sealed class RabbitMqCluster : IAsyncLifetime
{
    public const int NodeCount = 3;

    /// <summary>The trait of tests on the cluster: ops/test.sh runs them in a step of their own (they take minutes).</summary>
    public const string TestCategory = "Cluster";

    /// <summary>Start-up of three Erlang nodes plus two joins, on a machine shared with other builds.</summary>
    public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(240);

    private static readonly string Script = Path.Combine(InteropEnvironment.RepoRoot, "ops", "lib", "rabbitmq-cluster.sh");
    private readonly HashSet<int> _stoppedByUs = [];
    private bool _startedByUs;

    /// <summary>The amqp:// URI of node 1, 2 or 3.</summary>
    public static Uri AmqpUri(int node) => new($"amqp://guest:guest@127.0.0.1:{AmqpPort(node)}/");

    /// <summary>The three nodes' amqp:// URIs, node 1 first.</summary>
    public static IReadOnlyList<Uri> AmqpUris { get; } = [.. Enumerable.Range(1, NodeCount).Select(AmqpUri)];

    public static string NodeName(int node) => $"rabbit{Check(node)}@localhost";

    public async Task InitializeAsync()
    {
        if (Enumerable.Range(1, NodeCount).All(IsUp))
        {
            return;
        }

        await RunScriptAsync("start");
        _startedByUs = true;
    }

    public async Task DisposeAsync()
    {
        if (_startedByUs)
        {
            await RunScriptAsync("stop");
            return;
        }
        // A cluster we found is handed back whole.
        foreach (var node in _stoppedByUs)
        {
            await RunScriptAsync("start-node", node.ToString());
        }
    }

    /// <summary>True when node <paramref name="node"/> accepts AMQP connections.</summary>
    public static bool IsUp(int node)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect("127.0.0.1", AmqpPort(node));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The node (1..3) leading quorum queue <paramref name="queue"/> of vhost "/".</summary>
    public async Task<int> LeaderOfAsync(string queue)
    {
        var leader = (await RunScriptAsync("leader", queue)).Trim();
        for (var node = 1; node <= NodeCount; node++)
        {
            if (leader == NodeName(node))
            {
                return node;
            }
        }

        throw new InvalidOperationException($"queue {queue} has no leader the fixture knows ('{leader}')");
    }

    /// <summary>An empty virtual host of the cluster (created through node 1; the cluster shares it), deleted on dispose.</summary>
    public Task<RabbitMqVirtualHost> CreateVirtualHostAsync(string prefix = "ctest") =>
        RabbitMqVirtualHost.CreateAsync(new VirtualHostAdmin(AmqpUri(1), arguments => CtlAsync(1, arguments)), AmqpUri(1), prefix);

    /// <summary>The node (1..3) leading quorum queue <paramref name="queue"/> of <paramref name="virtualHost"/>.</summary>
    public async Task<int> LeaderOfAsync(string queue, string virtualHost)
    {
        var leader = (await RunScriptAsync("leader", queue, virtualHost)).Trim();
        return Enumerable.Range(1, NodeCount).FirstOrDefault(node => leader == NodeName(node)) is var found and > 0
            ? found
            : throw new InvalidOperationException($"queue {queue} of {virtualHost} has no leader the fixture knows ('{leader}')");
    }

    /// <summary>rabbitmqctl against node <paramref name="node"/>; returns its output.</summary>
    public static Task<string> CtlAsync(int node, params string[] arguments) => RunScriptAsync(["ctl", Check(node).ToString(), .. arguments]);

    /// <summary>
    /// Raises a memory alarm on <paramref name="node"/> (a watermark of 0.0001 of its RAM): every node of the cluster then
    /// blocks publishing connections until <see cref="ClearMemoryAlarmAsync"/>.
    /// </summary>
    public static Task RaiseMemoryAlarmAsync(int node) => CtlAsync(node, "set_vm_memory_high_watermark", "0.0001");

    /// <summary>Back to RabbitMQ's default watermark (0.4).</summary>
    public static Task ClearMemoryAlarmAsync(int node) => CtlAsync(node, "set_vm_memory_high_watermark", "0.4");

    /// <summary>Stops node <paramref name="node"/>'s Erlang VM; returns once it is gone.</summary>
    public async Task StopNodeAsync(int node)
    {
        await RunScriptAsync("stop-node", Check(node).ToString());
        _stoppedByUs.Add(node);
    }

    /// <summary>Starts node <paramref name="node"/> again (it rejoins the cluster from its own data); returns once it runs.</summary>
    public async Task StartNodeAsync(int node)
    {
        await RunScriptAsync("start-node", Check(node).ToString());
        _stoppedByUs.Remove(node);
    }

    private static Task<string> RunScriptAsync(params string[] arguments) =>
        ExternalCommand.RunCheckedAsync("bash", [Script, .. arguments], CommandTimeout);

    private static int AmqpPort(int node) => 5700 + Check(node);

    private static int Check(int node) =>
        node is >= 1 and <= NodeCount ? node : throw new ArgumentOutOfRangeException(nameof(node), node, $"nodes are 1..{NodeCount}");
}

[CollectionDefinition(Name)]
public sealed class RabbitMqClusterCollection : ICollectionFixture<RabbitMqCluster>
{
    public const string Name = "rabbitmq-cluster";
}
