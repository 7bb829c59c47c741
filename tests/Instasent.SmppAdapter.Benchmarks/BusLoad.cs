using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Instasent.SmppAdapter.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>
/// <c>bus-load</c>: publishes N <see cref="SendSms"/> (plain JSON, GSM 7-bit, one segment) to <c>smpp-send-sms</c> of one
/// virtual host as fast as publisher confirms allow, reads the outcome (and receipt) events from their fanout exchanges
/// and prints commands/s from the first publish to the last outcome, publish→outcome latency percentiles and whether
/// every messageId got exactly one outcome. It measures whatever consumes that queue: the adapter, or
/// <c>bus-load baseline</c> (<see cref="BaselineService"/>: the same broker hops without SMPP).
/// </summary>
/// <remarks>
/// Every body is built before the clock starts, so the load generator's own work in the measured window is publishing
/// and reading events. Publishing as fast as possible builds a backlog: the latency figures are mostly queueing time
/// at saturation, not the latency of a lightly loaded adapter.
/// </remarks>
internal static class BusLoad
{
    private const string Usage = """
        Usage: bus-load --rabbitmq amqp://guest:guest@127.0.0.1:5672/vhost --count 20000
                        [--label adapter] [--receipts] [--in-flight 256] [--timeout 180] [--rate N]
               bus-load baseline --rabbitmq URI [--connection instasent] [--concurrency 100] [--hops 2] [--raw-events false]
                                  [--client masstransit] [--receipt-delay 0]
          --receipts    requestDeliveryReport true, and wait for one SmsDeliveryReported per command as well
          --in-flight   publishes awaiting their confirm at once
          --timeout     seconds, from the first publish, for every outcome (and receipt) to arrive
          --rate        publish N commands a second on a fixed schedule (still at most --in-flight awaiting their
                        confirm) instead of as fast as confirms allow: latency below saturation
          --hops        2: the adapter's router hop, then the connection's queue; 1: consume smpp-send-sms itself
          --raw-events  true: publish the events as raw JSON (no envelope), the smallest MassTransit can send
          --client      rabbitmq: the one-hop floor on RabbitMQ.Client alone, no MassTransit (same envelope, confirms, acks);
                        hybrid: MassTransit consumes, RabbitMQ.Client publishes the events
          --receipt-delay  with --client rabbitmq, milliseconds: acknowledge a command once its outcome is confirmed
                        and publish its receipt this much later on its own, as the adapter does (0: right after)
        """;

    private static readonly string[] EventExchanges = [ContractNames.SmsSubmitted, ContractNames.SmsRejected, ContractNames.SmsDeliveryReported];

    private sealed record Settings(Uri Broker, int Count, string Label, bool Receipts, int InFlight, TimeSpan Timeout, int? Rate);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == "baseline")
        {
            return await BaselineService.RunAsync(args[1..], Usage);
        }

        if (LoadCommandLine.Parse(() => Parse(args), Usage) is not { } settings)
        {
            return 2;
        }

        var prefix = $"load-{settings.Label}-{Guid.NewGuid().ToString("N")[..8]}-";
        var tracker = new Tracker(settings.Count, settings.Receipts, prefix);
        var bodies = new ReadOnlyMemory<byte>[settings.Count];
        for (var i = 0; i < bodies.Length; i++)
        {
            bodies[i] = Body(prefix + i.ToString(CultureInfo.InvariantCulture), i, settings.Receipts);
        }

        var factory = new ConnectionFactory { Uri = settings.Broker, ClientProvidedName = $"bus-load {settings.Label}" };
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var subscriberConnection = await factory.CreateConnectionAsync(bound.Token);
        await using var subscriber = await subscriberConnection.CreateChannelAsync(cancellationToken: bound.Token);
        // Subscribed before the first publish, so no event is missed; declared as MassTransit declares them.
        var queue = (await subscriber.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: bound.Token)).QueueName;
        foreach (var exchange in EventExchanges)
        {
            await subscriber.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, cancellationToken: bound.Token);
            await subscriber.QueueBindAsync(queue, exchange, "", cancellationToken: bound.Token);
        }
        var consumer = new AsyncEventingBasicConsumer(subscriber);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            tracker.OnEvent(delivery.Exchange, delivery.Body.Span, Stopwatch.GetTimestamp());
            return Task.CompletedTask;
        };
        await subscriber.BasicConsumeAsync(queue, autoAck: true, consumer, bound.Token);

        await using var publisherConnection = await factory.CreateConnectionAsync(bound.Token);
        // Confirms counted from the broker's basic.ack/basic.nack (one often settles many) rather than one awaited task per
        // publish: the library's per-message tracking woke a task per confirm and cost the load generator more CPU than
        // the simulator (docs/performance.md, session 16).
        await using var publisher = await publisherConnection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: false), bound.Token);
        var confirms = new ConfirmWindow(publisher, await publisher.GetNextPublishSequenceNumberAsync(bound.Token), settings.Count, settings.InFlight);
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent };

        using var deadline = new CancellationTokenSource(settings.Timeout);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var started = Stopwatch.GetTimestamp();
        var completed = true;
        try
        {
            // One loop publishes, in order, so publish i has sequence number first + i.
            for (var i = 0; i < settings.Count; i++)
            {
                if (settings.Rate is { } rate)
                {
                    await LoadWorkers.WaitUntilDueAsync(started, i, rate, deadline.Token);
                }
                await confirms.RoomAsync(deadline.Token);
                tracker.Published(i, Stopwatch.GetTimestamp());
                await publisher.BasicPublishAsync("", ContractNames.SendSmsQueue, mandatory: false, properties, bodies[i], deadline.Token);
            }
            await confirms.AllSettled.WaitAsync(deadline.Token);
            var published = Stopwatch.GetElapsedTime(started);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"bus-load {settings.Label}: {settings.Count} SendSms published in {published.TotalSeconds:0.00} s ({settings.Count / published.TotalSeconds:0}/s{(settings.Rate is { } r ? $", scheduled at {r}/s" : "")}, confirms included, {settings.InFlight} in flight); nacked {confirms.Nacked}"));
            await tracker.Done.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            completed = false;
            Console.WriteLine($"timeout: not everything arrived within {settings.Timeout.TotalSeconds:0} s of the first publish");
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        // A duplicate outcome would come shortly after the first one: give it a moment before counting.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var report = tracker.Report(started);
        report.Print(settings, cpu);
        return completed && report.AllExactlyOnce && confirms.Nacked == 0 ? 0 : 1;
    }

    private static ReadOnlyMemory<byte> Body(string messageId, int i, bool receipts)
    {
        var command = new
        {
            messageId,
            from = "Instasent",
            to = "+346" + (i % 100_000_000).ToString("00000000", CultureInfo.InvariantCulture),
            text = Text160,
            encoding = "gsm7",
            requestDeliveryReport = receipts,
        };
        return JsonSerializer.SerializeToUtf8Bytes(command);
    }

    // 160 GSM 7-bit characters: exactly one segment.
    internal static readonly string Text160 = "Load run: your verification code is 482916. It expires in 10 minutes. If you did not ask for it, ignore this message. Instasent SMPP Adapter bus-load.".PadRight(160, '.');

    /// <summary>The nearest-rank percentile <paramref name="p"/> of an ascending list.</summary>
    internal static double Percentile(List<double> sorted, int p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Count) - 1, 0, sorted.Count - 1)];

    private static Settings Parse(string[] args)
    {
        Uri? broker = null;
        int? count = null;
        var label = "adapter";
        var receipts = false;
        var inFlight = 256;
        double timeout = 180;
        int? rate = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int(string name) => int.TryParse(Value(), CultureInfo.InvariantCulture, out var v) && v > 0 ? v : throw new ArgumentException($"{name} must be a positive integer");
            switch (args[i])
            {
                case "--rabbitmq": broker = Uri.TryCreate(Value(), UriKind.Absolute, out var uri) ? uri : throw new ArgumentException("--rabbitmq must be an amqp:// URI"); break;
                case "--count": count = Int("--count"); break;
                case "--label": label = Value(); break;
                case "--receipts": receipts = true; break;
                case "--in-flight": inFlight = Int("--in-flight"); break;
                case "--timeout": timeout = Int("--timeout"); break;
                case "--rate": rate = Int("--rate"); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        return new Settings(broker ?? throw new ArgumentException("--rabbitmq is required"), count ?? throw new ArgumentException("--count is required"),
            label, receipts, inFlight, TimeSpan.FromSeconds(timeout), rate);
    }

    /// <summary>
    /// The publishes of one confirm channel not yet settled by the broker, by sequence number: at most
    /// <c>limit</c> of them (<see cref="RoomAsync"/> waits for room), and when the last is settled.
    /// </summary>
    internal sealed class ConfirmWindow
    {
        private readonly Lock _lock = new();
        private readonly bool[] _settled;
        private readonly ulong _first;
        private readonly int _limit;
        private readonly TaskCompletionSource _allSettled = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource? _room;
        private int _lowest;
        private int _outstanding;
        private long _nacked;

        public ConfirmWindow(IChannel channel, ulong first, int count, int limit)
        {
            _settled = new bool[count];
            _first = first;
            _limit = limit;
            channel.BasicAcksAsync += (_, e) => Settle(e.DeliveryTag, e.Multiple, nack: false);
            channel.BasicNacksAsync += (_, e) => Settle(e.DeliveryTag, e.Multiple, nack: true);
        }

        public Task AllSettled => _allSettled.Task;

        public long Nacked => Interlocked.Read(ref _nacked);

        /// <summary>Counts one publish in, once fewer than the limit are unsettled.</summary>
        public async ValueTask RoomAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                Task wait;
                lock (_lock)
                {
                    if (_outstanding < _limit)
                    {
                        _outstanding++;
                        return;
                    }
                    _room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    wait = _room.Task;
                }
                await wait.WaitAsync(cancellationToken);
            }
        }

        private Task Settle(ulong tag, bool multiple, bool nack)
        {
            TaskCompletionSource? room = null;
            lock (_lock)
            {
                var last = (int)(tag - _first);
                for (var i = multiple ? _lowest : last; i <= last && i < _settled.Length; i++)
                {
                    if (!_settled[i])
                    {
                        _settled[i] = true;
                        _outstanding--;
                        if (nack)
                        {
                            _nacked++;
                        }
                    }
                }
                while (_lowest < _settled.Length && _settled[_lowest])
                {
                    _lowest++;
                }
                if (_room is not null && _outstanding < _limit)
                {
                    room = _room;
                    _room = null;
                }
                if (_lowest == _settled.Length)
                {
                    _allSettled.TrySetResult();
                }
            }
            room?.TrySetResult();
            return Task.CompletedTask;
        }
    }

    /// <summary>
    /// Per command: when it was published, when its first outcome arrived, how many outcomes and receipts it got.
    /// Events arrive on one consumer dispatch thread (RabbitMQ.Client's default), so counters need no locks there.
    /// </summary>
    private sealed class Tracker(int count, bool receipts, string prefix)
    {
        private readonly long[] _publishedAt = new long[count];
        private readonly long[] _outcomeAt = new long[count];
        private readonly int[] _outcomes = new int[count];
        private readonly int[] _receipts = new int[count];
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _distinctOutcomes;
        private int _distinctReceipts;
        private long _rejected;
        private long _unmatchedReceipts;
        private long _foreign;
        private long _lastOutcomeAt;
        private long _lastReceiptAt;

        public Task Done => _done.Task;

        public void Published(int i, long at) => _publishedAt[i] = at;

        public void OnEvent(string exchange, ReadOnlySpan<byte> body, long at)
        {
            using var envelope = JsonDocument.Parse(body.ToArray());
            var root = envelope.RootElement;
            // MassTransit's envelope carries the event in "message"; a raw JSON event (bus-load baseline --raw-events) is the event.
            var message = root.TryGetProperty("message", out var inner) ? inner : root;
            var messageId = message.TryGetProperty("messageId", out var id) ? id.GetString() : null;
            var isReceipt = exchange == ContractNames.SmsDeliveryReported;
            if (messageId is null || !messageId.StartsWith(prefix, StringComparison.Ordinal)
                || !int.TryParse(messageId.AsSpan(prefix.Length), CultureInfo.InvariantCulture, out var i) || i < 0 || i >= count)
            {
                // An unmatched receipt has no messageId; anything else is another run's event.
                if (isReceipt && messageId is null)
                {
                    _unmatchedReceipts++;
                }
                else
                {
                    _foreign++;
                }

                return;
            }
            if (isReceipt)
            {
                if (++_receipts[i] == 1)
                {
                    _distinctReceipts++;
                }

                _lastReceiptAt = at;
            }
            else
            {
                if (exchange == ContractNames.SmsRejected)
                {
                    _rejected++;
                }

                if (++_outcomes[i] == 1)
                {
                    _outcomeAt[i] = at;
                    _distinctOutcomes++;
                    _lastOutcomeAt = at;
                }
            }
            if (_distinctOutcomes == count && (!receipts || _distinctReceipts == count))
            {
                _done.TrySetResult();
            }
        }

        public Report Report(long started)
        {
            var latencies = new List<double>(count);
            var bySecond = new SortedDictionary<long, List<double>>();
            int duplicates = 0, missing = 0, receiptDuplicates = 0;
            for (var i = 0; i < count; i++)
            {
                if (_outcomes[i] == 0)
                {
                    missing++;
                }
                else
                {
                    var latency = Stopwatch.GetElapsedTime(_publishedAt[i], _outcomeAt[i]).TotalMilliseconds;
                    latencies.Add(latency);
                    var second = (_publishedAt[i] - started) / Stopwatch.Frequency;
                    if (!bySecond.TryGetValue(second, out var inSecond))
                    {
                        bySecond[second] = inSecond = [];
                    }
                    inSecond.Add(latency);
                }

                if (_outcomes[i] > 1)
                {
                    duplicates += _outcomes[i] - 1;
                }

                if (_receipts[i] > 1)
                {
                    receiptDuplicates += _receipts[i] - 1;
                }
            }
            latencies.Sort();
            var secondP99 = new List<(long Second, double P99)>(bySecond.Count);
            foreach (var (second, inSecond) in bySecond)
            {
                inSecond.Sort();
                secondP99.Add((second, Percentile(inSecond, 99)));
            }
            return new Report(count, receipts, _distinctOutcomes, duplicates, missing, _rejected,
                _distinctReceipts, receiptDuplicates, _unmatchedReceipts, _foreign,
                _lastOutcomeAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(started, _lastOutcomeAt),
                _lastReceiptAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(started, _lastReceiptAt),
                Percentile(latencies, 50), Percentile(latencies, 95), Percentile(latencies, 99), latencies.Count == 0 ? 0 : latencies[^1],
                secondP99);
        }
    }

    private sealed record Report(int Count, bool ReceiptsRequested, int Outcomes, int Duplicates, int Missing, long Rejected,
        int Receipts, int ReceiptDuplicates, long UnmatchedReceipts, long Foreign, TimeSpan ToLastOutcome, TimeSpan ToLastReceipt,
        double P50, double P95, double P99, double Max, List<(long Second, double P99)> SecondP99)
    {
        public bool AllExactlyOnce => Outcomes == Count && Duplicates == 0 && Rejected == 0
            && (!ReceiptsRequested || (Receipts == Count && ReceiptDuplicates == 0 && UnmatchedReceipts == 0));

        public void Print(Settings settings, TimeSpan cpu)
        {
            var inv = CultureInfo.InvariantCulture;
            var perSecond = ToLastOutcome > TimeSpan.Zero ? Outcomes / ToLastOutcome.TotalSeconds : 0;
            var receiptsPerSecond = ToLastReceipt > TimeSpan.Zero ? Receipts / ToLastReceipt.TotalSeconds : 0;
            Console.WriteLine(string.Create(inv, $"outcomes: {Outcomes} of {Count} (rejected {Rejected}); exactly one each: {(Outcomes == Count && Duplicates == 0 ? "yes" : "NO")} (duplicates {Duplicates}, missing {Missing})"));
            if (ReceiptsRequested)
            {
                Console.WriteLine(string.Create(inv, $"receipts: {Receipts} of {Count} (duplicates {ReceiptDuplicates}, unmatched {UnmatchedReceipts}), {receiptsPerSecond:0}/s first publish to last receipt ({ToLastReceipt.TotalSeconds:0.00} s)"));
            }

            Console.WriteLine(string.Create(inv, $"throughput: {perSecond:0} commands/s, first publish to last outcome ({ToLastOutcome.TotalSeconds:0.00} s)"));
            Console.WriteLine(string.Create(inv, $"latency publish->outcome ms: p50 {P50:0.0} p95 {P95:0.0} p99 {P99:0.0} max {Max:0.0}"));
            if (SecondP99.Count > 1)
            {
                // Where the tail is: spread over the run, or a few seconds' stalls (by the second each command was published).
                var sorted = SecondP99.Select(s => s.P99).Order().ToList();
                var worst = SecondP99.OrderByDescending(s => s.P99).Take(3).Select(s => string.Create(inv, $"{s.P99:0.0} ms at {s.Second} s"));
                Console.WriteLine(string.Create(inv,
                    $"latency p99 per second of publishing: median {Percentile(sorted, 50):0.0} ms, above 50 ms in {sorted.Count(p => p > 50)} of {sorted.Count} s; worst {string.Join(", ", worst)}"));
            }
            Console.WriteLine(string.Create(inv, $"events from other runs ignored: {Foreign}; load generator cpu: {cpu.TotalSeconds:0.00} s"));
            Console.WriteLine(string.Create(inv,
                $"result label={settings.Label} count={Count} seconds={ToLastOutcome.TotalSeconds:0.000} span_s={Math.Max(ToLastOutcome.TotalSeconds, ToLastReceipt.TotalSeconds):0.000} per_s={perSecond:0} p50_ms={P50:0.0} p95_ms={P95:0.0} p99_ms={P99:0.0} receipts_per_s={receiptsPerSecond:0} outcomes={Outcomes} duplicates={Duplicates} missing={Missing} rejected={Rejected} receipts={Receipts} ok={(AllExactlyOnce ? 1 : 0)} loadgen_cpu_s={cpu.TotalSeconds:0.00}"));
        }
    }
}
