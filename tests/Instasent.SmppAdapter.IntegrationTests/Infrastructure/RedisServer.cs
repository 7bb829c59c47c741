using StackExchange.Redis;
using Testcontainers.Redis;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

/// <summary>
/// A real Redis for the integration tests: a Testcontainers Redis when Docker answers, else the server at
/// <c>REDIS_URI</c> (a StackExchange.Redis configuration string such as <c>127.0.0.1:6379</c>; ops/test.sh starts one
/// and exports it). Without either, a <see cref="PrivateRedisServer"/> is started when <c>redis-server</c> is
/// installed, unless <c>SMPP_ADAPTER_REQUIRE_REDIS=1</c> (ops/test.sh, CI): then the tests FAIL, never skip, so CI
/// proves the server it set up is the one used. Tests share the server and isolate themselves with
/// <see cref="CreateScope"/>: a key prefix of their own, whose keys are deleted when the scope ends.
/// </summary>
public sealed class RedisServer : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private RedisContainer? _container;
    private PrivateRedisServer? _private;
    private ConnectionMultiplexer? _connection;
    private string? _configuration;

    /// <summary>StackExchange.Redis configuration string of the server (e.g. <c>127.0.0.1:6379</c>).</summary>
    public string Configuration => _configuration ?? throw new InvalidOperationException("the Redis fixture is not started");

    /// <summary>A connection shared by the tests' own checks (the code under test makes its own).</summary>
    public IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("the Redis fixture is not started");

    /// <summary>"Testcontainers", "REDIS_URI" or "private redis-server": where the server came from.</summary>
    public string Source { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var containerFailure = await TryContainerAsync();
        if (_configuration is null)
        {
            var configured = Environment.GetEnvironmentVariable("REDIS_URI");
            if (!string.IsNullOrWhiteSpace(configured))
            {
                _configuration = configured;
                Source = "REDIS_URI";
            }
            else if (Environment.GetEnvironmentVariable("SMPP_ADAPTER_REQUIRE_REDIS") == "1")
            {
                throw new InvalidOperationException(
                    $"No Redis for the integration tests: Docker/Testcontainers is unavailable ({containerFailure}) and REDIS_URI is not set " +
                    "(SMPP_ADAPTER_REQUIRE_REDIS=1 rules out a private redis-server). Run ops/test.sh, which starts one and exports REDIS_URI, " +
                    "or export REDIS_URI=127.0.0.1:6379.");
            }
            else
            {
                _private = await PrivateRedisServer.CreateAsync();
                _configuration = _private.Configuration;
                Source = "private redis-server";
            }
        }
        try
        {
            _connection = await ConnectAsync(_configuration);
        }
        catch (Exception e) when (e is RedisConnectionException or TimeoutException)
        {
            throw new InvalidOperationException(
                $"No Redis for the integration tests: {Source} {_configuration} does not answer ({e.GetBaseException().Message}); " +
                $"Docker/Testcontainers: {(containerFailure.Length == 0 ? "started" : containerFailure)}. " +
                "Run ops/test.sh, which starts one, or point REDIS_URI at a running server.", e);
        }
    }

    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }

        if (_private is not null)
        {
            await _private.DisposeAsync();
        }

        if (_container is not null)
        {
            await _container.DisposeAsync();
        }
    }

    /// <summary>A key prefix no other test uses (pass it to the adapter's key-prefix setting); its keys go with the scope.</summary>
    public RedisScope CreateScope() => new(Connection);

    /// <summary>A new connection to <paramref name="configuration"/>, failing within <see cref="StartTimeout"/>.</summary>
    public static async Task<ConnectionMultiplexer> ConnectAsync(string configuration)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = true;
        options.ConnectTimeout = (int)StartTimeout.TotalMilliseconds;
        return await ConnectionMultiplexer.ConnectAsync(options).WaitAsync(StartTimeout);
    }

    private async Task<string> TryContainerAsync()
    {
        var (container, failure) = await Containers.TryStartAsync(() => new RedisBuilder("redis:7-alpine").Build(), StartTimeout);
        if (container is null)
        {
            return failure;
        }

        _container = container;
        _configuration = container.GetConnectionString();
        Source = "Testcontainers";
        return "";
    }
}

/// <summary>
/// One test's corner of the shared Redis: <see cref="KeyPrefix"/> is unique (e.g. <c>itest:3f2a9c01b4de:</c>), and
/// every key under it is deleted on dispose.
/// </summary>
public sealed class RedisScope(IConnectionMultiplexer connection) : IAsyncDisposable
{
    public string KeyPrefix { get; } = $"itest:{Guid.NewGuid().ToString("N")[..12]}:";

    public IDatabase Database => connection.GetDatabase();

    /// <summary>The scope's keys with their time to live (null: none), ordered by key.</summary>
    public Task<IReadOnlyList<RedisKeyTtl>> KeysAsync() => RedisKeys.WithTtlAsync(connection, KeyPrefix);

    public Task<long> DeleteKeysAsync() => RedisKeys.DeleteAsync(connection, KeyPrefix);

    public async ValueTask DisposeAsync() => await DeleteKeysAsync();
}

/// <summary>A key and its time to live; <see cref="TimeToLive"/> is null for a key that never expires.</summary>
public sealed record RedisKeyTtl(string Key, TimeSpan? TimeToLive);

/// <summary>Keys under a prefix, found with SCAN (never KEYS, which blocks the server), bounded in number.</summary>
public static class RedisKeys
{
    /// <summary>More keys than this under one test's prefix is a bug in the test or the code, not a workload.</summary>
    public const int MaxKeys = 100_000;

    public static async Task<IReadOnlyList<RedisKeyTtl>> WithTtlAsync(IConnectionMultiplexer connection, string prefix)
    {
        var database = connection.GetDatabase();
        var keys = await ListAsync(connection, prefix);
        var ttls = await Task.WhenAll(keys.Select(key => database.KeyTimeToLiveAsync(key)));
        return keys.Select((key, i) => new RedisKeyTtl(key.ToString(), ttls[i])).OrderBy(k => k.Key, StringComparer.Ordinal).ToList();
    }

    /// <summary>Deletes every key under <paramref name="prefix"/>; returns how many there were.</summary>
    public static async Task<long> DeleteAsync(IConnectionMultiplexer connection, string prefix)
    {
        var keys = await ListAsync(connection, prefix);
        var database = connection.GetDatabase();
        long deleted = 0;
        foreach (var chunk in keys.Chunk(500))
        {
            deleted += await database.KeyDeleteAsync(chunk);
        }

        return deleted;
    }

    private static async Task<List<RedisKey>> ListAsync(IConnectionMultiplexer connection, string prefix)
    {
        if (prefix.Length == 0)
        {
            throw new ArgumentException("an empty prefix would match every key on the server", nameof(prefix));
        }

        var keys = new List<RedisKey>();
        foreach (var endpoint in connection.GetEndPoints())
        {
            var server = connection.GetServer(endpoint);
            if (server.IsReplica)
            {
                continue;
            }

            await foreach (var key in server.KeysAsync(pattern: EscapeGlob(prefix) + "*", pageSize: 1000))
            {
                keys.Add(key);
                if (keys.Count > MaxKeys)
                {
                    throw new InvalidOperationException($"more than {MaxKeys} keys under '{prefix}'");
                }
            }
        }
        return keys;
    }

    // SCAN MATCH is a glob: a prefix with * ? [ ] or \ in it must not match more than itself.
    private static string EscapeGlob(string prefix) =>
        string.Concat(prefix.Select(c => c is '*' or '?' or '[' or ']' or '\\' ? $"\\{c}" : c.ToString()));
}

[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServer>
{
    public const string Name = "redis";
}
