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
/// <c>replica-load</c>: the stream and the verdict of <c>ops/replicas.sh</c> (issue 11, item 4). Publishes
/// <c>--count</c> <see cref="SendSms"/> at <c>--rate</c> (plain JSON, publisher confirms, receipts asked, every
/// <c>--multipart-every</c>-th two segments, each to its own destination) while the simulator's control API injects
/// <c>--inbound</c> long inbound SMS (three parts each) spread over the same time. It waits for every outcome, receipt
/// and inbound SMS; then, once <c>--resume-file</c> exists (the script's restarts are over), publishes
/// <c>--republish</c> completed <c>messageId</c>s again and checks the SMSC accepted nothing more. It prints the figures
/// and one line per goal, and exits 1 when a goal failed.
/// </summary>
internal static class ReplicaLoad
{
    private const string Usage = """
        Usage: replica-load --rabbitmq amqp://127.0.0.1:5672/vhost --simulator http://127.0.0.1:18895 --system-id ACCOUNT
                            [--count 20000] [--rate 150] [--multipart-every 4] [--inbound 500] [--inbound-seconds S] [--republish 1000]
                            [--resume-file PATH] [--resume-timeout 900] [--drain 600] [--progress 2]
                            [--max-binds N] [--max-submits-per-second N] [--submit-batch N] [--submits-judged-on-wire] [--duplicate-bound N]
          --rate                    SendSms per second, paced
          --inbound                 long inbound SMS (3 parts each) injected through POST /mo during the stream
          --inbound-seconds         spread over this many seconds (default: --count / --rate; a rate budget makes the stream longer)
          --resume-file             the republish waits until this file exists (at most --resume-timeout seconds)
          --max-binds               goal: the simulator's peak of bound sessions stays within it (0: not checked)
          --max-submits-per-second  goal: the simulator's busiest second stays within it + 2 x --submit-batch + 10 %
          --submits-judged-on-wire  print the simulator's busiest second, but leave that goal to a packet capture (ops/replicas.sh):
                                    the simulator counts a submit_sm when it processes it, and a busy simulator processes late, in bursts
          --duplicate-bound         goal: segments the SMSC accepted more than once stay within it
        """;

    private static readonly string[] EventExchanges =
        [ContractNames.SmsSubmitted, ContractNames.SmsRejected, ContractNames.SmsDeliveryReported, ContractNames.InboundSmsReceived];

    private sealed record Settings(Uri Broker, Uri Simulator, string SystemId, int Count, double Rate, int MultipartEvery, int Inbound,
        double? InboundSeconds, int Republish, string? ResumeFile, int ResumeTimeout, int Drain, int Progress, int MaxBinds, int MaxSubmitsPerSecond, int SubmitBatch,
        bool SubmitsJudgedOnWire, int DuplicateBound, TimeSpan PublishTimeout, int InFlight);

    public static async Task<int> RunAsync(string[] args)
    {
        if (LoadCommandLine.Parse(() => Parse(args), Usage) is not { } s)
        {
            return 2;
        }

        var run = Guid.NewGuid().ToString("N")[..6];
        var prefix = $"replicas-{run}-";
        var destinationBase = 34_600_000_000L + (Random.Shared.Next(0, 9_000) * 100_000L);
        var tracker = new Tracker(s.Count, prefix, s.Inbound, run);
        var factory = HarnessBroker.Factory(s.Broker, "replica-load");
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var subscriberConnection = await factory.CreateConnectionAsync(bound.Token);
        var queue = $"replica-harness-{run}";
        await using var subscriber = await HarnessBroker.DurableEventQueueAsync(subscriberConnection, queue, EventExchanges, bound.Token);
        var consumer = new AsyncEventingBasicConsumer(subscriber);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            tracker.OnEvent(delivery.Body.Span);
            await subscriber.BasicAckAsync(delivery.DeliveryTag, false);
        };
        await subscriber.BasicConsumeAsync(queue, autoAck: false, consumer, bound.Token);

        await using var publisherConnection = await factory.CreateConnectionAsync(bound.Token);
        var channelOptions = new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true);
        await using var publisher = await publisherConnection.CreateChannelAsync(channelOptions, bound.Token);
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent };
        using var http = new HttpClient { BaseAddress = s.Simulator, Timeout = TimeSpan.FromSeconds(30) };

        bool TwoSegments(int i) => s.MultipartEvery > 0 && i % s.MultipartEvery == s.MultipartEvery - 1;
        using var inFlight = new SemaphoreSlim(s.InFlight);
        async Task PublishAsync(int i, bool republish)
        {
            var body = ChaosLoad.Body(prefix + i.ToString(CultureInfo.InvariantCulture), destinationBase + i, TwoSegments(i));
            using var timeout = new CancellationTokenSource(s.PublishTimeout);
            try
            {
                await publisher.BasicPublishAsync("", ContractNames.SendSmsQueue, mandatory: false, properties, body, timeout.Token);
                tracker.Published(i, republish ? 0 : 1);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                tracker.Published(i, republish ? 0 : 2);
            }
            finally
            {
                inFlight.Release();
            }
        }

        var started = Stopwatch.GetTimestamp();
        var streamTime = TimeSpan.FromSeconds(s.Count / s.Rate);
        using var progress = new Timer(_ => tracker.PrintProgress(started), null, TimeSpan.FromSeconds(s.Progress), TimeSpan.FromSeconds(s.Progress));
        var inbound = InjectInboundAsync(http, s, tracker, s.InboundSeconds is { } over ? TimeSpan.FromSeconds(over) : streamTime, started);
        var publishes = new List<Task>(s.Count);
        for (var i = 0; i < s.Count; i++)
        {
            var due = TimeSpan.FromSeconds(i / s.Rate) - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }

            await inFlight.WaitAsync();
            publishes.Add(PublishAsync(i, republish: false));
        }
        await Task.WhenAll(publishes);
        var injectFailures = await inbound;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stream published in {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s: {s.Count} SendSms, {s.Inbound - injectFailures} inbound SMS injected ({injectFailures} refused); draining (up to {s.Drain} s)"));
        var drained = await tracker.WaitDoneAsync(TimeSpan.FromSeconds(s.Drain));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stream {(drained ? "complete" : "NOT complete")} at {Stopwatch.GetElapsedTime(started).TotalSeconds:0} s"));

        if (s.ResumeFile is { } resumeFile)
        {
            Console.WriteLine($"waiting for {resumeFile} (the restarts to end; at most {s.ResumeTimeout} s)");
            var waitUntil = Stopwatch.GetTimestamp() + (s.ResumeTimeout * Stopwatch.Frequency);
            while (!File.Exists(resumeFile) && Stopwatch.GetTimestamp() < waitUntil)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500));
            }
            // Events delayed by the restarts (receipts resent, inbound parts retried) may still be on their way.
            drained = await tracker.WaitDoneAsync(TimeSpan.FromSeconds(s.Drain));
        }
        // A repeated outcome or receipt would come shortly after the first one: give it a moment before counting.
        await Task.Delay(TimeSpan.FromSeconds(3));
        var streamSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;

        // The republish: completed messageIds published again must submit nothing.
        var again = tracker.CompletedIds(s.Republish);
        var beforeStats = await http.GetFromJsonAsync<SimulatorStats>("/stats", JsonSerializerOptions.Web);
        var beforeSegments = await AcceptedPerDestinationAsync(http);
        tracker.ExpectRepeats(again);
        await Task.WhenAll(again.Select(async i =>
        {
            await inFlight.WaitAsync();
            await PublishAsync(i, republish: true);
        }));
        var republishAnswered = await tracker.WaitRepeatsAsync(TimeSpan.FromSeconds(120));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var afterStats = await http.GetFromJsonAsync<SimulatorStats>("/stats", JsonSerializerOptions.Web);
        var afterSegments = await AcceptedPerDestinationAsync(http);
        var submittedAgain = again.Count(i =>
        {
            var destination = "+" + (destinationBase + i).ToString(CultureInfo.InvariantCulture);
            return afterSegments.GetValueOrDefault(destination) > beforeSegments.GetValueOrDefault(destination);
        });
        var segments = await ChaosLoad.AcceptedSegmentsAsync(s.Simulator, null, destinationBase, s.Count);

        var report = tracker.Report();
        var peakRateBound = s.MaxSubmitsPerSecond + (2 * s.SubmitBatch) + (s.MaxSubmitsPerSecond / 10);
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"stream and drain: {streamSeconds:0} s; {(drained ? "every outcome, receipt and inbound SMS in" : "drain timed out")}"));
        Console.WriteLine(string.Create(inv, $"commands published (confirmed by the broker): {report.Confirmed} of {s.Count} ({report.Unconfirmed} unconfirmed)"));
        Console.WriteLine(string.Create(inv, $"messageIds with exactly one distinct outcome: {report.OneOutcome} (submitted {report.Submitted}, rejected {report.Rejected} {report.RejectCodes}); with none: {report.NoOutcome}; with conflicting outcomes: {report.Conflicting}; outcome events beyond the first: {report.RepeatedEvents}"));
        Console.WriteLine(string.Create(inv, $"receipts matched: {report.MatchedSegments} of {report.ExpectedSegments} segments ({report.ReceiptEvents} events); unmatched (no messageId): {report.UnmatchedReceipts} (extra copies the SMSC accepted: {segments.ExtraCopies})"));
        // Which ones, so a miss can be followed into the replicas' and the simulator's logs.
        foreach (var missing in report.MissingReceipts.Take(50))
        {
            Console.WriteLine("  receipt missing: " + missing);
        }
        if (report.UnmatchedSmscMessageIds.Count > 0)
        {
            Console.WriteLine("  unmatched receipts' smscMessageIds: " + string.Join(' ', report.UnmatchedSmscMessageIds.Take(50)));
        }
        Console.WriteLine(string.Create(inv, $"inbound SMS published: {report.InboundSeen} of {s.Inbound - injectFailures} injected, {report.InboundIds} distinct stable ids, {report.InboundSplitIds} SMS under more than one id, {report.InboundDuplicates} duplicate events, {report.InboundCorrupt} with a wrong text"));
        Console.WriteLine(segments.Error ?? string.Create(inv,
            $"segments the SMSC accepted twice: {segments.AcceptedTwice} ({segments.ExtraCopies} extra copies) of {segments.Accepted}; bound (sessions x window of the killed replica): {s.DuplicateBound}"));
        foreach (var worst in segments.Worst)
        {
            Console.WriteLine("  " + worst);
        }

        Console.WriteLine(string.Create(inv, $"republished completed messageIds: {again.Count}, answered again {republishAnswered.Answered} (within 120 s), submitted again {submittedAgain}; submit_sm the SMSC accepted meanwhile: {afterStats!.SubmitsAccepted - beforeStats!.SubmitsAccepted}"));
        Console.WriteLine(string.Create(inv, $"account binds: max seen {afterStats.PeakBoundSessions}, MaxBinds {s.MaxBinds}"));
        Console.WriteLine(string.Create(inv, $"account submits/s, as the simulator processed them: max in any 1 s window {afterStats.PeakSubmitsPerSecond} (at {afterStats.PeakSubmitsPerSecondAt:HH:mm:ss} UTC), MaxSubmitsPerSecond {s.MaxSubmitsPerSecond} (bound: + 2 batches of {s.SubmitBatch} + 10 % = {peakRateBound}); in any 5 s window {afterStats.PeakSubmitsPerFiveSeconds} ({afterStats.PeakSubmitsPerFiveSeconds / 5.0:0.#}/s)"));

        var goals = new List<(string Goal, bool Met)>
        {
            ("every messageId has exactly one distinct outcome", report.NoOutcome == 0 && report.Conflicting == 0 && report.Unconfirmed == 0),
            // A copy the SMSC accepted while the adapter that sent it died before reading submit_sm_resp has an id nobody
            // learned: its receipt cannot be matched by anyone (DESIGN.md: only a crash while segments are on the wire
            // sends one twice). Every other receipt must be, and every segment an outcome names must have its receipt.
            ("every receipt is matched (unmatched only for extra copies)", report.UnmatchedReceipts <= (segments.Error is null ? segments.ExtraCopies : 0)
                && report.MatchedSegments == report.ExpectedSegments),
            ("every inbound SMS is published, under one stable id", injectFailures == 0 && report.InboundSeen == s.Inbound && report.InboundSplitIds == 0 && report.InboundCorrupt == 0),
            ("segments accepted twice within the bound", segments.Error is null && segments.AcceptedTwice <= s.DuplicateBound),
            ("republished completed messageIds submit nothing", submittedAgain == 0 && afterStats.SubmitsAccepted == beforeStats.SubmitsAccepted && republishAnswered.Answered == again.Count),
            ("binds within MaxBinds", s.MaxBinds <= 0 || afterStats.PeakBoundSessions <= s.MaxBinds),
        };
        if (!s.SubmitsJudgedOnWire)
        {
            goals.Add(("submits per second within MaxSubmitsPerSecond", s.MaxSubmitsPerSecond <= 0 || afterStats.PeakSubmitsPerSecond <= peakRateBound));
        }
        foreach (var (goal, met) in goals)
        {
            Console.WriteLine($"goal {(met ? "met   " : "FAILED")}: {goal}");
        }

        Console.WriteLine(string.Create(inv,
            $"result published={report.Confirmed} one_outcome={report.OneOutcome} no_outcome={report.NoOutcome} conflicting={report.Conflicting} receipts_matched={report.MatchedSegments}/{report.ExpectedSegments} receipts_unmatched={report.UnmatchedReceipts} inbound={report.InboundSeen}/{s.Inbound} inbound_ids={report.InboundIds} inbound_duplicates={report.InboundDuplicates} dup_segments={segments.AcceptedTwice} dup_bound={s.DuplicateBound} republished={again.Count} submitted_again={submittedAgain} peak_binds={afterStats.PeakBoundSessions} max_binds={s.MaxBinds} peak_submits_per_s={afterStats.PeakSubmitsPerSecond} max_submits_per_s={s.MaxSubmitsPerSecond} seconds={streamSeconds:0} goals_failed={goals.Count(g => !g.Met)}"));
        return goals.All(g => g.Met) ? 0 : 1;
    }

    /// <summary>Injects the long inbound SMS evenly over <paramref name="over"/>; returns how many the simulator refused (after retries).</summary>
    private static async Task<int> InjectInboundAsync(HttpClient http, Settings s, Tracker tracker, TimeSpan over, long started)
    {
        var failures = 0;
        for (var k = 0; k < s.Inbound; k++)
        {
            var due = (over * k / s.Inbound) - Stopwatch.GetElapsedTime(started);
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
            var request = new MoRequest(s.SystemId, "+3471" + k.ToString("D7", CultureInfo.InvariantCulture), "+34600000000", tracker.InboundText(k));
            var injected = false;
            for (var attempt = 0; attempt < 5 && !injected; attempt++)
            {
                try
                {
                    using var response = await http.PostAsJsonAsync("/mo", request, JsonSerializerOptions.Web);
                    injected = response.IsSuccessStatusCode;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                }
                if (!injected)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1));
                }
            }
            failures += injected ? 0 : 1;
        }
        return failures;
    }

    private static async Task<Dictionary<string, int>> AcceptedPerDestinationAsync(HttpClient http) =>
        (await http.GetFromJsonAsync<List<SegmentCount>>("/accepted-segments", JsonSerializerOptions.Web) ?? [])
            .GroupBy(c => c.DestinationAddr, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Sum(c => c.Accepted), StringComparer.Ordinal);

    private static Settings Parse(string[] args)
    {
        Uri? broker = null, simulator = null;
        string? systemId = null, resumeFile = null;
        int count = 20_000, multipartEvery = 4, inbound = 500, republish = 1_000, resumeTimeout = 900, drain = 600, progressEvery = 2;
        int maxBinds = 0, maxSubmitsPerSecond = 0, submitBatch = 0, duplicateBound = 0, inFlight = 256;
        var submitsJudgedOnWire = false;
        double rate = 150;
        double? inboundSeconds = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int(string name, int min) => int.TryParse(Value(), CultureInfo.InvariantCulture, out var v) && v >= min ? v : throw new ArgumentException($"{name} must be a whole number >= {min}");
            switch (args[i])
            {
                case "--rabbitmq": broker = Uri.TryCreate(Value(), UriKind.Absolute, out var uri) ? uri : throw new ArgumentException("--rabbitmq must be an amqp:// URI"); break;
                case "--simulator": simulator = Uri.TryCreate(Value(), UriKind.Absolute, out var sim) ? sim : throw new ArgumentException("--simulator must be an http:// URI"); break;
                case "--system-id": systemId = Value(); break;
                case "--count": count = Int("--count", 1); break;
                case "--rate": rate = double.TryParse(Value(), CultureInfo.InvariantCulture, out var r) && r > 0 ? r : throw new ArgumentException("--rate must be a positive number"); break;
                case "--multipart-every": multipartEvery = Int("--multipart-every", 0); break;
                case "--inbound": inbound = Int("--inbound", 0); break;
                case "--inbound-seconds": inboundSeconds = Int("--inbound-seconds", 1); break;
                case "--republish": republish = Int("--republish", 0); break;
                case "--resume-file": resumeFile = Value(); break;
                case "--resume-timeout": resumeTimeout = Int("--resume-timeout", 1); break;
                case "--drain": drain = Int("--drain", 1); break;
                case "--progress": progressEvery = Int("--progress", 1); break;
                case "--max-binds": maxBinds = Int("--max-binds", 0); break;
                case "--max-submits-per-second": maxSubmitsPerSecond = Int("--max-submits-per-second", 0); break;
                case "--submit-batch": submitBatch = Int("--submit-batch", 0); break;
                case "--submits-judged-on-wire": submitsJudgedOnWire = true; break;
                case "--duplicate-bound": duplicateBound = Int("--duplicate-bound", 0); break;
                case "--in-flight": inFlight = Int("--in-flight", 1); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        if (count > 100_000)
        {
            throw new ArgumentException("--count is at most 100000 (one destination number each)");
        }

        return new Settings(broker ?? throw new ArgumentException("--rabbitmq is required"), simulator ?? throw new ArgumentException("--simulator is required"),
            systemId ?? throw new ArgumentException("--system-id is required"), count, rate, multipartEvery, inbound, inboundSeconds, republish, resumeFile, resumeTimeout,
            drain, progressEvery, maxBinds, maxSubmitsPerSecond, submitBatch, submitsJudgedOnWire, duplicateBound, TimeSpan.FromSeconds(5), inFlight);
    }

    /// <summary>Per command its distinct outcomes and receipts; per injected inbound SMS the stable ids it was published under.</summary>
    private sealed class Tracker(int count, string prefix, int inbound, string run)
    {
        private readonly Lock _lock = new();
        private readonly int[] _published = new int[count];  // 0 not yet, 1 confirmed, 2 unconfirmed
        private readonly HashSet<string>?[] _outcomes = new HashSet<string>?[count];
        private readonly int[] _outcomeEvents = new int[count];
        private readonly int[] _segments = new int[count];
        private readonly List<string>?[] _smscIds = new List<string>?[count];
        private readonly List<string> _unmatchedIds = [];
        private readonly HashSet<(int Command, int Segment)> _receipts = [];
        private readonly HashSet<string>?[] _inboundIds = new HashSet<string>?[inbound];
        private readonly Dictionary<string, int> _inboundEvents = new(StringComparer.Ordinal);
        private readonly Dictionary<string, int> _rejectCodes = new(StringComparer.Ordinal);
        private readonly string _inboundPrefix = $"Inbound {run} ";
        private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Dictionary<int, int>? _repeatsFrom;
        private int _repeatsExpected;
        private TaskCompletionSource _repeated = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private long _receiptEvents, _unmatchedReceipts, _inboundCorrupt;
        private bool _publishing = true;

        /// <summary>400 GSM 7-bit characters: three segments of 153 with an 8-bit UDH.</summary>
        public string InboundText(int k) =>
            (_inboundPrefix + k.ToString("D4", CultureInfo.InvariantCulture) + ": a long inbound SMS, three parts, injected by replica-load. ").PadRight(400, 'x');

        public void Published(int i, int state)
        {
            lock (_lock)
            {
                if (state != 0)
                {
                    _published[i] = state;
                }
                CheckDone();
            }
        }

        public void OnEvent(ReadOnlySpan<byte> body)
        {
            using var envelope = JsonDocument.Parse(body.ToArray());
            var root = envelope.RootElement;
            var type = root.GetProperty("messageType")[0].GetString() ?? "";
            var message = root.GetProperty("message");
            lock (_lock)
            {
                if (type.EndsWith(":InboundSmsReceived", StringComparison.Ordinal))
                {
                    OnInbound(message);
                }
                else
                {
                    OnOutcomeOrReceipt(type, message);
                }
                CheckDone();
            }
        }

        private void OnInbound(JsonElement message)
        {
            var text = message.GetProperty("text").GetString() ?? "";
            var id = message.TryGetProperty("id", out var i) ? i.GetString() ?? "" : "";
            if (!text.StartsWith(_inboundPrefix, StringComparison.Ordinal)
                || !int.TryParse(text.AsSpan(_inboundPrefix.Length, 4), CultureInfo.InvariantCulture, out var k) || k < 0 || k >= inbound)
            {
                return;
            }
            if (text != InboundText(k))
            {
                _inboundCorrupt++;
                return;
            }
            (_inboundIds[k] ??= new HashSet<string>(StringComparer.Ordinal)).Add(id);
            _inboundEvents[id] = _inboundEvents.GetValueOrDefault(id) + 1;
        }

        private void OnOutcomeOrReceipt(string type, JsonElement message)
        {
            var messageId = message.TryGetProperty("messageId", out var m) ? m.GetString() : null;
            var receipt = type.EndsWith(":SmsDeliveryReported", StringComparison.Ordinal);
            if (messageId is null || !messageId.StartsWith(prefix, StringComparison.Ordinal)
                || !int.TryParse(messageId.AsSpan(prefix.Length), CultureInfo.InvariantCulture, out var i) || i < 0 || i >= count)
            {
                if (receipt && messageId is null)
                {
                    _unmatchedReceipts++;
                    _unmatchedIds.Add(message.TryGetProperty("smscMessageId", out var u) ? u.GetString() ?? "?" : "?");
                }
                return;
            }
            if (receipt)
            {
                _receiptEvents++;
                _receipts.Add((i, message.TryGetProperty("segment", out var seg) && seg.ValueKind == JsonValueKind.Number ? seg.GetInt32() : 1));
                return;
            }
            string outcome;
            if (type.EndsWith(":SmsSubmitted", StringComparison.Ordinal))
            {
                var ids = message.GetProperty("smscMessageIds").EnumerateArray().Select(e => e.GetString()).ToList();
                _segments[i] = ids.Count;
                _smscIds[i] ??= ids.Select(id => id ?? "?").ToList();
                outcome = "submitted " + string.Join(',', ids);
            }
            else if (type.EndsWith(":SmsRejected", StringComparison.Ordinal))
            {
                var code = message.TryGetProperty("code", out var c) ? c.GetString() ?? "?" : "?";
                outcome = "rejected " + code;
                if (_outcomes[i] is null)
                {
                    _rejectCodes[code] = _rejectCodes.GetValueOrDefault(code) + 1;
                }
            }
            else
            {
                return;
            }
            (_outcomes[i] ??= new HashSet<string>(StringComparer.Ordinal)).Add(outcome);
            _outcomeEvents[i]++;
            if (_repeatsFrom is { } repeats && repeats.TryGetValue(i, out var before) && _outcomeEvents[i] > before)
            {
                repeats.Remove(i);
                if (repeats.Count == 0)
                {
                    _repeated.TrySetResult();
                }
            }
        }

        // Under _lock: publishing over, every confirmed command has an outcome and a receipt per segment submitted, and
        // every injected inbound SMS arrived.
        private void CheckDone()
        {
            if (_publishing)
            {
                return;
            }

            for (var i = 0; i < count; i++)
            {
                if (_published[i] == 0 || (_published[i] == 1 && _outcomes[i] is null))
                {
                    return;
                }

                for (var segment = 1; _outcomes[i] is not null && segment <= _segments[i]; segment++)
                {
                    if (!_receipts.Contains((i, segment)))
                    {
                        return;
                    }
                }
            }
            if (_inboundIds.Any(ids => ids is null))
            {
                return;
            }

            _done.TrySetResult();
        }

        public async Task<bool> WaitDoneAsync(TimeSpan drain)
        {
            Task done;
            lock (_lock)
            {
                _publishing = false;
                _done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                CheckDone();
                done = _done.Task;
            }
            try
            {
                await done.WaitAsync(drain);
                return true;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }

        /// <summary>Up to <paramref name="n"/> submitted commands with one distinct outcome, spread over the run.</summary>
        public List<int> CompletedIds(int n)
        {
            lock (_lock)
            {
                var completed = Enumerable.Range(0, count).Where(i => _outcomes[i] is { Count: 1 } o && o.First().StartsWith("submitted", StringComparison.Ordinal)).ToList();
                var step = Math.Max(1, completed.Count / Math.Max(1, n));
                return completed.Where((_, k) => k % step == 0).Take(n).ToList();
            }
        }

        public void ExpectRepeats(List<int> ids)
        {
            lock (_lock)
            {
                _repeatsFrom = ids.ToDictionary(i => i, i => _outcomeEvents[i]);
                _repeatsExpected = ids.Count;
                _repeated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                if (_repeatsFrom.Count == 0)
                {
                    _repeated.TrySetResult();
                }
            }
        }

        /// <summary>Waits until every republished id got an outcome event again; returns how many did.</summary>
        public async Task<(int Answered, bool All)> WaitRepeatsAsync(TimeSpan timeout)
        {
            Task repeated;
            lock (_lock)
            {
                repeated = _repeated.Task;
            }
            var all = true;
            try
            {
                await repeated.WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                all = false;
            }
            lock (_lock)
            {
                return (_repeatsExpected - _repeatsFrom!.Count, all);
            }
        }

        public void PrintProgress(long started)
        {
            lock (_lock)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"progress t={Stopwatch.GetElapsedTime(started).TotalSeconds:0}s confirmed={_published.Count(p => p == 1)} outcomes={_outcomes.Count(o => o is not null)} receipts={_receipts.Count} inbound={_inboundIds.Count(ids => ids is not null)}"));
            }
        }

        public Report Report()
        {
            lock (_lock)
            {
                int confirmed = 0, unconfirmed = 0, one = 0, none = 0, conflicting = 0, submitted = 0, rejected = 0, repeated = 0, expected = 0, matched = 0;
                var missing = new List<string>();
                for (var i = 0; i < count; i++)
                {
                    confirmed += _published[i] == 1 ? 1 : 0;
                    unconfirmed += _published[i] == 2 ? 1 : 0;
                    var outcomes = _outcomes[i];
                    none += outcomes is null && _published[i] == 1 ? 1 : 0;
                    one += outcomes is { Count: 1 } ? 1 : 0;
                    conflicting += outcomes is { Count: > 1 } ? 1 : 0;
                    repeated += Math.Max(0, _outcomeEvents[i] - 1);
                    if (outcomes is { Count: 1 })
                    {
                        var isSubmitted = outcomes.First().StartsWith("submitted", StringComparison.Ordinal);
                        submitted += isSubmitted ? 1 : 0;
                        rejected += isSubmitted ? 0 : 1;
                    }
                    if (outcomes?.Any(o => o.StartsWith("submitted", StringComparison.Ordinal)) == true)
                    {
                        expected += _segments[i];
                        for (var segment = 1; segment <= _segments[i]; segment++)
                        {
                            if (_receipts.Contains((i, segment)))
                            {
                                matched++;
                            }
                            else
                            {
                                missing.Add(string.Create(CultureInfo.InvariantCulture,
                                    $"{prefix}{i} segment {segment}/{_segments[i]} smscMessageId {_smscIds[i]?.ElementAtOrDefault(segment - 1) ?? "?"}"));
                            }
                        }
                    }
                }
                return new Report(confirmed, unconfirmed, one, none, conflicting, submitted, rejected,
                    "(" + string.Join(',', _rejectCodes.Select(e => $"{e.Key}:{e.Value}")) + ")", repeated, expected, matched, _receiptEvents, _unmatchedReceipts,
                    _inboundIds.Count(ids => ids is not null), _inboundEvents.Count, _inboundIds.Count(ids => ids is { Count: > 1 }),
                    _inboundEvents.Values.Sum(n => n - 1), _inboundCorrupt, missing, [.. _unmatchedIds]);
            }
        }
    }

    private sealed record Report(int Confirmed, int Unconfirmed, int OneOutcome, int NoOutcome, int Conflicting, int Submitted, int Rejected,
        string RejectCodes, int RepeatedEvents, int ExpectedSegments, int MatchedSegments, long ReceiptEvents, long UnmatchedReceipts,
        int InboundSeen, int InboundIds, int InboundSplitIds, int InboundDuplicates, long InboundCorrupt,
        IReadOnlyList<string> MissingReceipts, IReadOnlyList<string> UnmatchedSmscMessageIds);
}
