using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Simulator;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>
/// <c>chaos-load</c>: the steady load of one row of <c>ops/chaos.sh</c> (and of <c>ops/soak.sh</c>). Publishes
/// <see cref="SendSms"/> at a fixed rate for a fixed time (plain JSON, publisher confirms, receipts asked; every
/// <c>--multipart-every</c>-th command is two segments), each to its own destination number, and counts from the
/// events it consumes off the broker: outcomes, receipts, and the commands confirmed by the broker that never got an
/// outcome (lost). At the end it asks the simulator's control API which segments it accepted
/// (<c>GET /accepted-segments</c>), adds snapshots taken before the simulator was killed, and counts the segments of
/// this run's commands that the SMSC accepted more than once (whatever UDH reference they carried).
/// </summary>
/// <remarks>
/// The harness survives the faults it is run under: its event queue is durable (events published while the
/// broker or this connection is down wait there), its connection recovers by itself, and a publish that is not
/// confirmed within <c>--publish-timeout</c> (broker down, connection blocked by an alarm) is counted as unconfirmed,
/// not published: such a command may still reach the adapter, so its outcome is counted but its absence is not a loss.
/// </remarks>
internal static class ChaosLoad
{
    private const string Usage = """
        Usage: chaos-load --rabbitmq amqp://guest:guest@127.0.0.1:5811/vhost --rate 40 --seconds 60 --label row
                          [--drain 120] [--multipart-every 4] [--simulator http://127.0.0.1:18790] [--snapshots DIR]
                          [--publish-timeout 5] [--in-flight 256] [--progress 30]
          --rate             SendSms per second, paced (not as fast as possible)
          --seconds          how long to publish
          --drain            seconds after the last publish to wait for every outcome and receipt
          --multipart-every  every n-th command has two segments (0: none)
          --simulator        the simulator's control API, asked for the segments it accepted at the end
          --snapshots        a directory of earlier GET /accepted-segments answers (*.json) to add (a simulator that was killed)
          --progress         print a progress line this often (seconds; 0 for none)
        """;

    private static readonly string[] EventExchanges = [ContractNames.SmsSubmitted, ContractNames.SmsRejected, ContractNames.SmsDeliveryReported];

    // 200 GSM 7-bit characters: two segments of 153.
    private static readonly string Text200 = BusLoad.Text160 + " Two segments: the second one carries these last forty.";

    private sealed record Settings(Uri Broker, string Label, double Rate, int Seconds, int Drain, int MultipartEvery, Uri? Simulator,
        string? Snapshots, TimeSpan PublishTimeout, int InFlight, int Progress);

    public static async Task<int> RunAsync(string[] args)
    {
        if (LoadCommandLine.Parse(() => Parse(args), Usage) is not { } s)
        {
            return 2;
        }

        var count = (int)Math.Ceiling(s.Rate * s.Seconds);
        var run = Guid.NewGuid().ToString("N")[..6];
        var prefix = $"chaos-{s.Label}-{run}-";
        // One destination per command, unique within the run: the simulator's per-destination counts are per command.
        var destinationBase = 34_600_000_000L + (Random.Shared.Next(0, 9_000) * 100_000L);
        if (count > 100_000)
        {
            Console.Error.WriteLine($"--rate x --seconds is {count} commands; at most 100000 per run (one destination each)");
            return 2;
        }

        var tracker = new Tracker(count, prefix);
        var factory = HarnessBroker.Factory(s.Broker, $"chaos-load {s.Label}");
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var subscriberConnection = await factory.CreateConnectionAsync(bound.Token);
        var queue = $"chaos-harness-{s.Label}-{run}";
        await using var subscriber = await HarnessBroker.DurableEventQueueAsync(subscriberConnection, queue, EventExchanges, bound.Token);
        var consumer = new AsyncEventingBasicConsumer(subscriber);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            tracker.OnEvent(delivery.Body.Span);
            try
            {
                await subscriber.BasicAckAsync(delivery.DeliveryTag, false);
            }
            catch (Exception e) when (e is RabbitMQ.Client.Exceptions.AlreadyClosedException or OperationCanceledException)
            {
                // Redelivered after recovery: OnEvent counts repeats apart, so nothing is counted twice.
            }
        };
        await subscriber.BasicConsumeAsync(queue, autoAck: false, consumer, bound.Token);

        await using var publisherConnection = await factory.CreateConnectionAsync(bound.Token);
        var channelOptions = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
        await using var publisher = await publisherConnection.CreateChannelAsync(channelOptions, bound.Token);
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent };

        using var inFlight = new SemaphoreSlim(s.InFlight);
        var publishes = new List<Task>(count);
        async Task PublishAsync(int i)
        {
            var body = Body(prefix + i.ToString(CultureInfo.InvariantCulture), destinationBase + i, s.MultipartEvery > 0 && i % s.MultipartEvery == s.MultipartEvery - 1);
            using var timeout = new CancellationTokenSource(s.PublishTimeout);
            try
            {
                await publisher.BasicPublishAsync("", ContractNames.SendSmsQueue, mandatory: false, properties, body, timeout.Token);
                tracker.Confirmed(i);
            }
            catch (Exception e)
            {
                tracker.Unconfirmed(i, e.GetType().Name);
            }
            finally
            {
                inFlight.Release();
            }
        }

        var started = Stopwatch.GetTimestamp();
        using var progress = s.Progress > 0 ? new Timer(_ => tracker.PrintProgress(started), null, TimeSpan.FromSeconds(s.Progress), TimeSpan.FromSeconds(s.Progress)) : null;
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds(i / s.Rate) - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            await inFlight.WaitAsync();
            publishes.Add(PublishAsync(i));
        }
        await Task.WhenAll(publishes);
        var publishedIn = Stopwatch.GetElapsedTime(started);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"chaos-load {s.Label}: {count} SendSms attempted in {publishedIn.TotalSeconds:0.0} s ({s.Rate:0.#}/s asked); waiting up to {s.Drain} s for outcomes and receipts"));
        var drained = await tracker.WaitDoneAsync(TimeSpan.FromSeconds(s.Drain));
        // A repeated outcome or receipt would come shortly after the first one: give it a moment before counting.
        await Task.Delay(TimeSpan.FromSeconds(2));
        var drainSeconds = Stopwatch.GetElapsedTime(started) - publishedIn;

        var segments = await AcceptedSegmentsAsync(s.Simulator, s.Snapshots, destinationBase, count);
        var report = tracker.Report();
        report.Print(s.Label, segments, drained, drainSeconds);
        return 0;
    }

    internal static ReadOnlyMemory<byte> Body(string messageId, long destination, bool twoSegments) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            messageId,
            from = "Instasent",
            to = "+" + destination.ToString(CultureInfo.InvariantCulture),
            text = twoSegments ? Text200 : BusLoad.Text160,
            encoding = "gsm7",
            requestDeliveryReport = true,
        });

    /// <summary>Per (command, segment number) how often the simulator accepted it, summed over its UDH references and over the snapshots.</summary>
    internal static async Task<SegmentTally> AcceptedSegmentsAsync(Uri? simulatorControl, string? snapshots, long destinationBase, int count)
    {
        var all = new List<SegmentCount>();
        if (snapshots is { } dir && Directory.Exists(dir))
        {
            foreach (var file in Directory.GetFiles(dir, "*.json").Order(StringComparer.Ordinal))
            {
                all.AddRange(JsonSerializer.Deserialize<List<SegmentCount>>(await File.ReadAllTextAsync(file), JsonSerializerOptions.Web) ?? []);
            }
        }
        string? error = null;
        if (simulatorControl is { } simulator)
        {
            try
            {
                using var http = new HttpClient { BaseAddress = simulator, Timeout = TimeSpan.FromSeconds(30) };
                all.AddRange(await http.GetFromJsonAsync<List<SegmentCount>>("/accepted-segments", JsonSerializerOptions.Web) ?? []);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                error = $"the simulator's control API did not answer ({e.Message})";
            }
        }
        var perSegment = new Dictionary<(long Command, int Segment), (int Accepted, HashSet<int?> References)>();
        foreach (var c in all)
        {
            if (!long.TryParse(c.DestinationAddr.TrimStart('+'), CultureInfo.InvariantCulture, out var destination))
            {
                continue;
            }
            var command = destination - destinationBase;
            if (command < 0 || command >= count)
            {
                continue;
            }
            var key = (command, c.Segment);
            if (!perSegment.TryGetValue(key, out var entry))
            {
                entry = (0, []);
            }
            entry.References.Add(c.Reference);
            perSegment[key] = (entry.Accepted + c.Accepted, entry.References);
        }
        var twice = perSegment.Where(p => p.Value.Accepted > 1).ToList();
        return new SegmentTally(error, perSegment.Count, twice.Count, twice.Sum(p => p.Value.Accepted - 1),
            twice.Count == 0 ? 1 : twice.Max(p => p.Value.Accepted), perSegment.Count(p => p.Value.References.Count > 1),
            twice.OrderByDescending(p => p.Value.Accepted).Take(5).Select(p => $"command {p.Key.Command} segment {p.Key.Segment}: {p.Value.Accepted}x under {p.Value.References.Count} reference(s)").ToList());
    }

    internal sealed record SegmentTally(string? Error, int Accepted, int AcceptedTwice, int ExtraCopies, int MaxAccepts, int SplitReferences, List<string> Worst);

    private static Settings Parse(string[] args)
    {
        Uri? broker = null, simulator = null;
        string label = "row";
        string? snapshots = null;
        double? rate = null;
        int? seconds = null;
        int drain = 120, multipartEvery = 4, inFlight = 256, progressEvery = 0;
        double publishTimeout = 5;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int(string name, int min) => int.TryParse(Value(), CultureInfo.InvariantCulture, out var v) && v >= min ? v : throw new ArgumentException($"{name} must be a whole number >= {min}");
            double Positive(string name) => double.TryParse(Value(), CultureInfo.InvariantCulture, out var v) && v > 0 ? v : throw new ArgumentException($"{name} must be a positive number");
            switch (args[i])
            {
                case "--rabbitmq": broker = Uri.TryCreate(Value(), UriKind.Absolute, out var uri) ? uri : throw new ArgumentException("--rabbitmq must be an amqp:// URI"); break;
                case "--simulator": simulator = Uri.TryCreate(Value(), UriKind.Absolute, out var sim) ? sim : throw new ArgumentException("--simulator must be an http:// URI"); break;
                case "--label": label = Value(); break;
                case "--rate": rate = Positive("--rate"); break;
                case "--seconds": seconds = Int("--seconds", 1); break;
                case "--drain": drain = Int("--drain", 0); break;
                case "--multipart-every": multipartEvery = Int("--multipart-every", 0); break;
                case "--snapshots": snapshots = Value(); break;
                case "--publish-timeout": publishTimeout = Positive("--publish-timeout"); break;
                case "--in-flight": inFlight = Int("--in-flight", 1); break;
                case "--progress": progressEvery = Int("--progress", 0); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        return new Settings(broker ?? throw new ArgumentException("--rabbitmq is required"), label, rate ?? throw new ArgumentException("--rate is required"),
            seconds ?? throw new ArgumentException("--seconds is required"), drain, multipartEvery, simulator, snapshots,
            TimeSpan.FromSeconds(publishTimeout), inFlight, progressEvery);
    }

    /// <summary>Per command: confirmed or not, its outcomes, the segments it was submitted in, the receipts per segment.</summary>
    private sealed class Tracker(int count, string prefix)
    {
        private readonly Lock _lock = new();
        private readonly int[] _published = new int[count];  // 0 not yet, 1 confirmed, 2 unconfirmed
        private readonly int[] _submitted = new int[count];
        private readonly int[] _rejected = new int[count];
        private readonly int[] _segments = new int[count];
        private readonly HashSet<(int Command, int Segment)> _receipts = [];
        private readonly ConcurrentDictionary<string, int> _unconfirmedWhy = new();
        private readonly ConcurrentDictionary<string, int> _rejectCodes = new();
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private bool _publishing = true;
        private int _finished;
        private long _receiptEvents, _unmatchedReceipts, _foreign, _events;

        public void Confirmed(int i) => Settle(i, 1);

        public void Unconfirmed(int i, string why)
        {
            _unconfirmedWhy.AddOrUpdate(why, 1, static (_, n) => n + 1);
            Settle(i, 2);
        }

        private void Settle(int i, int state)
        {
            lock (_lock)
            {
                _published[i] = state;
                CheckDone();
            }
        }

        public async Task<bool> WaitDoneAsync(TimeSpan drain)
        {
            lock (_lock)
            {
                _publishing = false;
                CheckDone();
            }
            try
            {
                await _done.Task.WaitAsync(drain);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        public void OnEvent(ReadOnlySpan<byte> body)
        {
            using var envelope = JsonDocument.Parse(body.ToArray());
            var root = envelope.RootElement;
            var type = root.GetProperty("messageType")[0].GetString() ?? "";
            var message = root.GetProperty("message");
            var messageId = message.TryGetProperty("messageId", out var id) ? id.GetString() : null;
            lock (_lock)
            {
                _events++;
                var receipt = type.EndsWith(":SmsDeliveryReported", StringComparison.Ordinal);
                if (messageId is null || !messageId.StartsWith(prefix, StringComparison.Ordinal)
                    || !int.TryParse(messageId.AsSpan(prefix.Length), CultureInfo.InvariantCulture, out var i) || i < 0 || i >= count)
                {
                    if (receipt && messageId is null)
                    {
                        _unmatchedReceipts++;
                    }
                    else
                    {
                        _foreign++;
                    }

                    return;
                }
                if (receipt)
                {
                    _receiptEvents++;
                    var segment = message.TryGetProperty("segment", out var seg) && seg.ValueKind == JsonValueKind.Number ? seg.GetInt32() : 1;
                    _receipts.Add((i, segment));
                }
                else if (type.EndsWith(":SmsSubmitted", StringComparison.Ordinal))
                {
                    _submitted[i]++;
                    _segments[i] = message.TryGetProperty("segments", out var n) && n.ValueKind == JsonValueKind.Number ? n.GetInt32() : 1;
                }
                else if (type.EndsWith(":SmsRejected", StringComparison.Ordinal))
                {
                    _rejected[i]++;
                    var code = message.TryGetProperty("code", out var c) ? c.GetString() ?? "?" : "?";
                    _rejectCodes.AddOrUpdate(code, 1, static (_, n) => n + 1);
                }
                CheckDone();
            }
        }

        // Under _lock. Done: publishing over, and every command that may have reached the adapter has an outcome and,
        // when submitted, a receipt for each segment.
        private void CheckDone()
        {
            if (_publishing)
            {
                return;
            }

            // _finished only moves past commands that are complete: an unconfirmed command without an outcome is passed
            // over (it may never have reached the broker: it holds nobody up) but looked at again next time, so that when
            // its outcome comes after all, its receipts are waited for like any other's.
            var complete = true;
            for (var i = _finished; i < count; i++)
            {
                var outcome = _submitted[i] + _rejected[i] > 0;
                if (_published[i] == 2 && !outcome)
                {
                    complete = false;
                    continue;
                }
                if (_published[i] == 0 || !outcome)
                {
                    return;
                }
                for (var segment = 1; _submitted[i] > 0 && segment <= _segments[i]; segment++)
                {
                    if (!_receipts.Contains((i, segment)))
                    {
                        return;
                    }
                }
                if (complete)
                {
                    _finished = i + 1;
                }
            }
            _done.TrySetResult();
        }

        public void PrintProgress(long started)
        {
            lock (_lock)
            {
                var confirmed = _published.Count(p => p == 1);
                var outcomes = Enumerable.Range(0, count).Count(i => _submitted[i] + _rejected[i] > 0);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"progress t={Stopwatch.GetElapsedTime(started).TotalSeconds:0}s confirmed={confirmed} outcomes={outcomes} receipts={_receipts.Count} events={_events}"));
            }
        }

        public Report Report()
        {
            lock (_lock)
            {
                int confirmed = 0, unconfirmed = 0, submitted = 0, rejected = 0, both = 0, repeated = 0, lost = 0, unconfirmedWithOutcome = 0, expectedReceipts = 0, matched = 0;
                var lostIds = new List<int>();
                for (var i = 0; i < count; i++)
                {
                    var outcomes = _submitted[i] + _rejected[i];
                    confirmed += _published[i] == 1 ? 1 : 0;
                    unconfirmed += _published[i] == 2 ? 1 : 0;
                    submitted += _submitted[i] > 0 ? 1 : 0;
                    rejected += _rejected[i] > 0 && _submitted[i] == 0 ? 1 : 0;
                    both += _rejected[i] > 0 && _submitted[i] > 0 ? 1 : 0;
                    repeated += Math.Max(0, outcomes - 1);
                    unconfirmedWithOutcome += _published[i] == 2 && outcomes > 0 ? 1 : 0;
                    if (_published[i] == 1 && outcomes == 0)
                    {
                        lost++;
                        if (lostIds.Count < 5)
                        {
                            lostIds.Add(i);
                        }
                    }
                    if (_submitted[i] > 0)
                    {
                        expectedReceipts += _segments[i];
                        for (var segment = 1; segment <= _segments[i]; segment++)
                        {
                            matched += _receipts.Contains((i, segment)) ? 1 : 0;
                        }
                    }
                }
                return new Report(count, confirmed, unconfirmed, unconfirmedWithOutcome, submitted, rejected, both, repeated, lost,
                    lostIds.Select(i => prefix + i.ToString(CultureInfo.InvariantCulture)).ToList(), expectedReceipts, matched, _receiptEvents,
                    _unmatchedReceipts, _foreign,
                    string.Join(',', _unconfirmedWhy.Select(e => $"{e.Key}:{e.Value}")), string.Join(',', _rejectCodes.Select(e => $"{e.Key}:{e.Value}")));
            }
        }
    }

    private sealed record Report(int Attempted, int Confirmed, int Unconfirmed, int UnconfirmedWithOutcome, int Submitted, int Rejected,
        int SubmittedAndRejected, int RepeatedOutcomes, int Lost, List<string> LostIds, int ExpectedReceipts, int MatchedReceipts, long ReceiptEvents,
        long UnmatchedReceipts, long Foreign, string UnconfirmedWhy, string RejectCodes)
    {
        public void Print(string label, SegmentTally segments, bool drained, TimeSpan drain)
        {
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(inv, $"commands: {Attempted} attempted, {Confirmed} confirmed by the broker, {Unconfirmed} unconfirmed ({UnconfirmedWhy}; {UnconfirmedWithOutcome} of them got an outcome anyway)"));
            Console.WriteLine(string.Create(inv, $"outcomes: submitted {Submitted}, rejected {Rejected} ({RejectCodes}), both {SubmittedAndRejected}, repeated outcome events {RepeatedOutcomes}"));
            Console.WriteLine(string.Create(inv, $"lost (confirmed, no outcome {drain.TotalSeconds:0} s after the last publish): {Lost}{(LostIds.Count > 0 ? " e.g. " + string.Join(' ', LostIds) : "")}"));
            Console.WriteLine(string.Create(inv, $"receipts: {MatchedReceipts} of {ExpectedReceipts} segments matched ({ReceiptEvents} matched receipt events, {UnmatchedReceipts} unmatched); {(drained ? "all in" : "drain timed out")}"));
            Console.WriteLine(segments.Error ?? string.Create(inv,
                $"smsc: {segments.Accepted} segments of these commands accepted, {segments.AcceptedTwice} of them more than once ({segments.ExtraCopies} extra copies, at most {segments.MaxAccepts}x one segment), {segments.SplitReferences} under more than one UDH reference"));
            foreach (var worst in segments.Worst)
            {
                Console.WriteLine("  " + worst);
            }

            Console.WriteLine(string.Create(inv,
                $"row label={label} published={Confirmed} unconfirmed={Unconfirmed} submitted={Submitted} rejected={Rejected} both={SubmittedAndRejected} repeated={RepeatedOutcomes} lost={Lost} receipts={MatchedReceipts}/{ExpectedReceipts} unmatched_receipts={UnmatchedReceipts} segments={segments.Accepted} dup_segments={(segments.Error is null ? segments.AcceptedTwice : -1)} extra_copies={segments.ExtraCopies} max_accepts={segments.MaxAccepts} drained={(drained ? 1 : 0)} drain_s={drain.TotalSeconds:0}"));
        }
    }
}
