using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Instasent.SmppAdapter.Stores;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.Tests.Stores;

/// <summary>
/// A waiter on <see cref="RedisSignals"/> (the correlation and idempotency stores' cross-replica waits) ends when its
/// token fires, even while Redis does not answer: StackExchange.Redis takes no token and, with
/// <c>AbortOnConnectFail=false</c>, holds a command for an unreachable Redis until its own timeout. No server needed: the
/// multiplexer points at a loopback port nothing listens on.
/// </summary>
public sealed class RedisSignalsTests
{
    // The client's own timeout for a command it cannot send; the waits below must end well before it.
    private const int RedisTimeoutMs = 10_000;

    [Fact]
    public async Task A_cancelled_wait_ends_at_once_while_Redis_is_unreachable()
    {
        await using var redis = await UnreachableRedisAsync();
        var signals = new RedisSignals(redis, "test:signals", TimeProvider.System);
        var probes = 0;
        async Task<string?> Probe()
        {
            Interlocked.Increment(ref probes);
            return await redis.GetDatabase().StringGetAsync("test:key");
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => signals.WaitAsync("id", Probe, TimeSpan.FromSeconds(30), stop.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(RedisTimeoutMs / 2), $"the wait ended {watch.Elapsed} after it began, not when its token fired");
        Assert.Equal(1, probes);
    }

    [Fact]
    public async Task A_wait_cancelled_while_subscribing_leaves_the_subscription_to_the_next_waiter()
    {
        await using var redis = await UnreachableRedisAsync();
        var signals = new RedisSignals(redis, "test:signals", TimeProvider.System);
        // The first look answers at once (nothing there), so the wait goes on to subscribe, which Redis never answers.
        Task<string?> Nothing() => Task.FromResult<string?>(null);

        using var first = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var watch = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => signals.WaitAsync("a", Nothing, TimeSpan.FromSeconds(30), first.Token));
        using var second = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => signals.WaitAsync("b", Nothing, TimeSpan.FromSeconds(30), second.Token));

        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(RedisTimeoutMs / 2), $"two cancelled waits took {watch.Elapsed}");
    }

    [Fact]
    public async Task A_wait_with_no_time_to_wait_looks_once_and_subscribes_to_nothing()
    {
        await using var redis = await UnreachableRedisAsync();
        var signals = new RedisSignals(redis, "test:signals", TimeProvider.System);
        var probes = 0;

        var found = await signals.WaitAsync("id", () => { probes++; return Task.FromResult<string?>(null); }, TimeSpan.Zero, CancellationToken.None);

        Assert.Null(found);
        Assert.Equal(1, probes);
    }

    private static async Task<ConnectionMultiplexer> UnreachableRedisAsync()
    {
        // A port that was free a moment ago: nothing answers there.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var options = new ConfigurationOptions
        {
            EndPoints = { { IPAddress.Loopback, port } },
            AbortOnConnectFail = false,
            ConnectTimeout = 500,
            ConnectRetry = 0,
            AsyncTimeout = RedisTimeoutMs,
            SyncTimeout = RedisTimeoutMs,
        };
        return await ConnectionMultiplexer.ConnectAsync(options);
    }
}
