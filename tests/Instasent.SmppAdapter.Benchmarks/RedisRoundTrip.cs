using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>
/// `redis-roundtrip [--redis host:port] [--count N]`: what one awaited StackExchange.Redis round trip costs this process
/// in CPU, at several concurrencies (how many awaits are outstanding at once), for a plain SET and for a small script
/// (as the adapter's stores use). The floor under the Redis stores' cost per command (docs/scaling.md): the adapter pays
/// it once per round trip of a command. Nothing else runs in the process; compare figures from one run only.
/// </summary>
internal static class RedisRoundTrip
{
    private const string Script = "redis.call('SET', KEYS[1], ARGV[1], 'PX', 60000) return 1";

    public static async Task<int> RunAsync(string[] args)
    {
        var redis = "127.0.0.1:6379";
        var count = 50_000;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--redis": redis = args[i + 1]; break;
                case "--count": count = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown option {args[i]}"); return 2;
            }
        }
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis);
        var database = connection.GetDatabase();
        var value = (RedisValue)new string('x', 200);
        Console.WriteLine($"StackExchange.Redis round trips to {redis}, {count:N0} per row, CPU of this process per awaited round trip:");
        Console.WriteLine("operation  concurrency   round trips/s   CPU us per round trip");
        foreach (var (name, call) in new (string, Func<RedisKey, Task>)[]
                 {
                     ("set", key => database.StringSetAsync(key, value, TimeSpan.FromMinutes(1))),
                     ("script", key => database.ScriptEvaluateAsync(Script, [key], [value])),
                 })
        {
            foreach (var concurrency in new[] { 1, 4, 16, 100 })
            {
                await RunAsync(call, concurrency, Math.Min(count, 5_000));  // warm-up
                var process = Process.GetCurrentProcess();
                var cpu = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                await RunAsync(call, concurrency, count);
                process.Refresh();
                var perTrip = (process.TotalProcessorTime - cpu).TotalMicroseconds / count;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-9}  {concurrency,11}   {count / clock.Elapsed.TotalSeconds,13:N0}   {perTrip,21:F1}"));
            }
        }
        await database.KeyDeleteAsync([.. Enumerable.Range(0, 100).Select(i => (RedisKey)$"redis-roundtrip:{i}")]);
        return 0;
    }

    /// <summary><paramref name="count"/> awaited calls, <paramref name="concurrency"/> outstanding at a time.</summary>
    private static async Task RunAsync(Func<RedisKey, Task> call, int concurrency, int count)
    {
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            RedisKey key = $"redis-roundtrip:{worker}";
            while (Interlocked.Increment(ref next) <= count)
            {
                await call(key).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
    }
}
