using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Stores;
using Instasent.SmppAdapter.Telemetry;
using StackExchange.Redis;

namespace Instasent.SmppAdapter.IntegrationTests.Stores;

/// <summary>
/// What the Redis stores cost: the bytes each kind of key takes (<c>MEMORY USAGE</c>, printed for docs/scaling.md's sizing),
/// and the round-trip and error metrics every Redis operation reports.
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisFootprintTests(RedisServer redis)
{
    [Fact]
    public async Task Bytes_per_in_flight_message_and_per_receipt_correlation_are_measured_with_MEMORY_USAGE()
    {
        const int messages = 200;
        await using var stores = await StoreReplicas.CreateAsync(StoreReplicas.Redis, redis);
        var metadata = new Dictionary<string, string> { ["campaign"] = "spring-2026", ["tenant"] = "acme" };
        var claims = new List<IdempotencyClaim>();
        for (var i = 0; i < messages; i++)
        {
            // A typical command: 36-character messageId, one segment accepted, its receipt correlation, its outcome.
            var messageId = Guid.NewGuid().ToString();
            var smscId = $"{0x5A000000 + i:X8}-{i:D6}";
            claims.Add(await stores.Idempotency(0).ClaimAsync(messageId, null, default));
            var progress = SubmitProgress.Start(1);
            progress.SmscMessageIds[0] = smscId;
            await stores.Progress(0).SaveAsync(messageId, progress, default);
            await stores.Correlations(0).AddAsync("instasent", smscId, new SegmentCorrelation
            {
                MessageId = messageId, Segment = 1, Segments = 1, Metadata = metadata, SubmittedAt = DateTimeOffset.UtcNow,
                SubmitContext = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded),
            });
            // Completing forgets the progress: the outcome is measured on a twin, so both stay to be measured.
            var completedId = Guid.NewGuid().ToString();
            await stores.Idempotency(0).CompleteAsync(completedId, new SmsSubmitted
            {
                MessageId = completedId, SmscMessageIds = [smscId], Segments = 1, Connection = "instasent", SessionId = "instasent-t0-0a1b2c3d",
                SubmittedAt = DateTimeOffset.UtcNow, Metadata = metadata,
            }, default);
        }

        var bytes = new Dictionary<string, List<long>>();
        foreach (var key in await stores.Scope!.KeysAsync())
        {
            var kind = key.Key[stores.Scope.KeyPrefix.Length..].Split(':')[0] + (key.Key.EndsWith(":claim", StringComparison.Ordinal) ? ".claim"
                : key.Key.EndsWith(":outcome", StringComparison.Ordinal) ? ".outcome" : "");
            var usage = (long)await stores.Scope.Database.ExecuteAsync("MEMORY", "USAGE", key.Key, "SAMPLES", "0");
            (bytes.TryGetValue(kind, out var list) ? list : bytes[kind] = []).Add(usage);
        }
        foreach (var (kind, sizes) in bytes.OrderBy(b => b.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"redis MEMORY USAGE {kind,-18} {sizes.Count,4} keys, {sizes.Average(),6:F0} bytes each (min {sizes.Min()}, max {sizes.Max()})");
        }
        var inFlight = bytes["idem.claim"].Average() + bytes["progress"].Average();
        var completed = bytes["idem.outcome"].Average();
        var correlation = bytes["corr"].Average();
        Console.WriteLine($"per in-flight message (claim + progress): {inFlight:F0} B; per completed message (outcome, 7 d): {completed:F0} B; " +
                          $"per receipt correlation (72 h): {correlation:F0} B");
        foreach (var claim in claims)
        {
            claim.Dispose();
        }

        Assert.Equal(new[] { "corr", "idem.claim", "idem.outcome", "progress" }, bytes.Keys.Order(StringComparer.Ordinal));
        Assert.All(bytes.Values, sizes => Assert.Equal(messages, sizes.Count));
        Assert.All(bytes.Values.SelectMany(s => s), size => Assert.InRange(size, 1, 2048));
    }

    [Fact]
    public async Task Each_Redis_operation_is_timed_and_each_failure_counted_by_operation()
    {
        var durations = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<(string Operation, string Error)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == AdapterTelemetry.Name && instrument.Name.StartsWith("smpp.adapter.redis.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
        {
            foreach (var tag in tags)
            {
                if (tag.Key == name)
                {
                    return (string)tag.Value!;
                }
            }
            return "";
        }
        listener.SetMeasurementEventCallback<double>((_, _, tags, _) => durations.Enqueue(Tag(tags, "redis.operation")));
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            if (instrument.Name == "smpp.adapter.redis.errors")
            {
                errors.Enqueue((Tag(tags, "redis.operation"), Tag(tags, "error.type")));
            }
        });
        listener.Start();
        await using var stores = await StoreReplicas.CreateAsync(StoreReplicas.Redis, redis);
        // Nothing listens on port 1: every command fails at once with no connection available.
        await using var nowhere = await ConnectionMultiplexer.ConnectAsync("127.0.0.1:1,abortConnect=false,connectTimeout=200");
        var unreachable = new RedisSubmitProgressStore(nowhere, new StoresOptions { Provider = StoreProvider.Redis, KeyPrefix = stores.Scope!.KeyPrefix }, StoreReplicas.Sending);

        await stores.Progress(0).SaveAsync("m1", SubmitProgress.Start(1), default);
        await stores.Progress(0).LoadAsync("m1", default);
        await Assert.ThrowsAnyAsync<RedisException>(async () => await unreachable.LoadAsync("m1", default));

        Assert.Contains("progress.save", durations);
        Assert.Contains("progress.load", durations);
        Assert.Contains(errors, e => e is { Operation: "progress.load", Error: nameof(RedisConnectionException) });
    }
}
