using System.Globalization;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>
/// <c>broker-headers</c>: what headers on an event cost the broker. Publishes <c>--count</c> events of 1,000 bytes,
/// persistent and confirmed (a window of 64 unconfirmed, counted from the broker's acks, so the client adds no header of
/// its own), to a fanout exchange whose one queue this process consumes, alternately without headers and with
/// <c>--headers</c>: <c>trace</c> (<c>traceparent</c> and <c>MT-Activity-Id</c> as the adapter writes them) or
/// <c>publish-number</c> (<c>x-dotnet-pub-seq-no</c>, which RabbitMQ.Client writes on every publish of a channel whose
/// confirms it tracks), <c>--rounds</c> times each; prints the broker's CPU per event (process <c>--broker-pid</c>) and
/// this process's, per round and their medians. With <c>--bodies A,B</c> it compares body sizes instead: no headers,
/// events of A bytes against events of B. Nothing else should use the broker meanwhile: its CPU is counted whole.
/// </summary>
internal static class BrokerHeaderCost
{
    private const string Usage = "Usage: broker-headers --rabbitmq amqp://guest:guest@127.0.0.1:5672/vhost --broker-pid PID [--headers trace|publish-number | --bodies 880,645] [--count 50000] [--rounds 3]";
    private const string Traceparent = "00-047112ac0e95347b971875511c888b58-08921f3889dfd49a-00";
    private const int Window = 64;

    public static async Task<int> RunAsync(string[] args)
    {
        Uri? broker = null;
        int brokerPid = 0, count = 50_000, rounds = 3;
        var headers = "trace";
        int[]? bodies = null;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--rabbitmq" when Uri.TryCreate(args[i + 1], UriKind.Absolute, out var uri): broker = uri; break;
                case "--broker-pid" when int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var p) && p > 0: brokerPid = p; break;
                case "--count" when int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var c) && c > 0: count = c; break;
                case "--rounds" when int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var r) && r is > 0 and <= 20: rounds = r; break;
                case "--headers" when args[i + 1] is "trace" or "publish-number": headers = args[i + 1]; break;
                case "--bodies" when ParseBodies(args[i + 1]) is { } sizes: bodies = sizes; break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        if (broker is null || brokerPid == 0 || args.Length % 2 != 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var factory = new ConnectionFactory { Uri = broker, ClientProvidedName = "broker-headers" };
        await using var connection = await factory.CreateConnectionAsync();
        await using var subscribe = await connection.CreateChannelAsync();
        const string exchange = "broker-headers";
        await subscribe.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: false, autoDelete: true);
        var queue = (await subscribe.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await subscribe.QueueBindAsync(queue, exchange, "");
        long received = 0;
        var consumer = new AsyncEventingBasicConsumer(subscribe);
        consumer.ReceivedAsync += (_, _) =>
        {
            Interlocked.Increment(ref received);
            return Task.CompletedTask;
        };
        await subscribe.BasicConsumeAsync(queue, autoAck: true, consumer);

        // Without --bodies both variants carry 1,000 bytes; with it, the first variant carries A bytes, the second B.
        var payloads = new Dictionary<bool, byte[]> { [false] = Payload(bodies?[0] ?? 1000), [true] = Payload(bodies?[1] ?? 1000) };
        string Label(bool second) => bodies is null ? (second ? headers : "no headers") : $"{bodies[second ? 1 : 0]} B";
        // A warm-up round of each, not counted.
        var results = new Dictionary<bool, List<(double Broker, double Client, double Rate)>> { [false] = [], [true] = [] };
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var withHeaders in round % 2 == 0 ? new[] { false, true } : [true, false])
            {
                var target = Interlocked.Read(ref received) + count;
                var (broker0, self0) = (CpuSeconds(brokerPid), CpuSeconds(Environment.ProcessId));
                var started = System.Diagnostics.Stopwatch.StartNew();
                // A channel per round: its confirms numbered from 1, counted by a window of its own.
                await using (var publish = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true,
                    publisherConfirmationTrackingEnabled: false)))
                {
                    var confirms = new BusLoad.ConfirmWindow(publish, await publish.GetNextPublishSequenceNumberAsync(), count, Window);
                    for (var i = 0; i < count; i++)
                    {
                        var properties = new BasicProperties
                        {
                            ContentType = "application/vnd.masstransit+json",
                            DeliveryMode = DeliveryModes.Persistent,
                            MessageId = Guid.NewGuid().ToString(),
                            Headers = !withHeaders || bodies is not null ? null
                                : headers == "trace" ? new Dictionary<string, object?>(2) { ["traceparent"] = Traceparent, ["MT-Activity-Id"] = Traceparent }
                                : new Dictionary<string, object?>(1) { ["x-dotnet-pub-seq-no"] = (long)i + 1 },
                        };
                        await confirms.RoomAsync(CancellationToken.None);
                        await publish.BasicPublishAsync(exchange, "", mandatory: false, properties, payloads[withHeaders]);
                    }
                    await confirms.AllSettled.WaitAsync(TimeSpan.FromMinutes(2));
                }
                for (var waited = 0; Interlocked.Read(ref received) < target && waited < 3000; waited++)
                {
                    await Task.Delay(10);
                }
                var seconds = started.Elapsed.TotalSeconds;
                var (brokerUs, clientUs) = ((CpuSeconds(brokerPid) - broker0) * 1e6 / count, (CpuSeconds(Environment.ProcessId) - self0) * 1e6 / count);
                var label = Label(withHeaders);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(round == 0 ? "warm-up" : $"round {round}"),-8} {label,-14} {count / seconds,8:F0} events/s  broker {brokerUs,6:F1} us/event  client {clientUs,6:F1} us/event"));
                if (round > 0)
                {
                    results[withHeaders].Add((brokerUs, clientUs, count / seconds));
                }
            }
        }
        foreach (var (withHeaders, list) in results)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"median   {Label(withHeaders),-14} {Median(list.Select(r => r.Rate)),8:F0} events/s  broker {Median(list.Select(r => r.Broker)),6:F1} us/event  client {Median(list.Select(r => r.Client)),6:F1} us/event"));
        }
        return 0;
    }

    private static int[]? ParseBodies(string value)
    {
        var parts = value.Split(',');
        return parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var a) && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var b)
            && a is > 0 and <= 1_000_000 && b is > 0 and <= 1_000_000 ? [a, b] : null;
    }

    private static byte[] Payload(int size)
    {
        var payload = new byte[size];
        Array.Fill(payload, (byte)'x');
        return payload;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>A process's user + system CPU (on Linux, .NET reads it from <c>/proc/PID/stat</c>).</summary>
    private static double CpuSeconds(int pid)
    {
        using var process = System.Diagnostics.Process.GetProcessById(pid);
        return process.TotalProcessorTime.TotalSeconds;
    }
}
