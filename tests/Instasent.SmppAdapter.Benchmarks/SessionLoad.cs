using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Instasent.Smpp.Client;
using Instasent.Smpp.Pdus;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>
/// <c>session-load</c>: one bound session, submit_sm as fast as the window allows, for a fixed time after a warm-up.
/// Prints submit_sm/s, receipts/s and the bytes allocated in this process per submit (GC.GetTotalAllocatedBytes:
/// the session works on many threads, so a per-thread count would miss most of it).
/// </summary>
internal static class SessionLoad
{
    private const string Usage = """
        Usage: session-load --host 127.0.0.1 --port 2775 --system-id X --password Y
                            [--window 50] [--duration 5] [--warmup 1] [--receipts] [--interface-version 3.4|5.0]
          --receipts   ask for delivery receipts (registered_delivery 1); off by default
        """;

    private sealed record Settings(string Host, int Port, string SystemId, string Password, int Window, TimeSpan Duration,
        TimeSpan Warmup, bool Receipts, byte InterfaceVersion);

    public static async Task<int> RunAsync(string[] args)
    {
        if (LoadCommandLine.Parse(() => Parse(args), Usage) is not { } settings)
        {
            return 2;
        }

        var receipts = new ReceiptCounter();
        var options = new SmppSessionOptions
        {
            Host = settings.Host,
            Port = settings.Port,
            SystemId = settings.SystemId,
            Password = settings.Password,
            WindowSize = settings.Window,
            InterfaceVersion = settings.InterfaceVersion,
            ConnectionName = "session-load",
        };
        await using var session = await SmppSession.ConnectAsync(options, receipts);

        var load = new Load(session, settings);
        var workers = new Task[settings.Window];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = load.WorkerAsync();
        }

        await Task.Delay(settings.Warmup);
        var before = load.Snapshot(receipts);
        await Task.Delay(settings.Duration);
        var after = load.Snapshot(receipts);
        load.Stop();
        await Task.WhenAll(workers);
        await session.CloseAsync();

        var seconds = (after.Elapsed - before.Elapsed).TotalSeconds;
        var submits = after.Submits - before.Submits;
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"session-load: {settings.Host}:{settings.Port} window {settings.Window}, {seconds:0.00} s measured after {settings.Warmup.TotalSeconds:0.#} s warm-up, receipts {(settings.Receipts ? "requested" : "off")}"));
        Console.WriteLine(string.Create(inv, $"submit_sm/s: {submits / seconds:0}"));
        Console.WriteLine(string.Create(inv, $"receipts/s: {(after.Receipts - before.Receipts) / seconds:0}"));
        Console.WriteLine(string.Create(inv, $"allocated bytes per submit: {(submits == 0 ? 0 : (after.Allocated - before.Allocated) / (double)submits):0}"));
        Console.WriteLine(string.Create(inv, $"gc collections (gen0/gen1/gen2): {after.Gen0 - before.Gen0}/{after.Gen1 - before.Gen1}/{after.Gen2 - before.Gen2}"));
        Console.WriteLine(string.Create(inv, $"submits not ESME_ROK: {load.NotOk}{load.DescribeStatuses()}; failures: {load.Failures}"));
        return load.Failures == 0 ? 0 : 1;
    }

    private static Settings Parse(string[] args)
    {
        string? host = null, systemId = null, password = null;
        int? port = null;
        int window = 50;
        double duration = 5, warmup = 1;
        var receipts = false;
        byte version = InterfaceVersion.V34;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int(string name) => int.TryParse(Value(), CultureInfo.InvariantCulture, out var v) && v > 0 ? v : throw new ArgumentException($"{name} must be a positive integer");
            double Seconds(string name) => double.TryParse(Value(), CultureInfo.InvariantCulture, out var v) && v >= 0 ? v : throw new ArgumentException($"{name} must be a number of seconds");
            switch (args[i])
            {
                case "--host": host = Value(); break;
                case "--port": port = Int("--port"); break;
                case "--system-id": systemId = Value(); break;
                case "--password": password = Value(); break;
                case "--window": window = Int("--window"); break;
                case "--duration": duration = Seconds("--duration"); break;
                case "--warmup": warmup = Seconds("--warmup"); break;
                case "--receipts": receipts = true; break;
                case "--interface-version":
                    version = Value() switch
                    {
                        "3.4" => InterfaceVersion.V34,
                        "5.0" => InterfaceVersion.V50,
                        var other => throw new ArgumentException($"--interface-version is {other}; use 3.4 or 5.0"),
                    };
                    break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        return new Settings(host ?? throw new ArgumentException("--host is required"), port ?? throw new ArgumentException("--port is required"),
            systemId ?? throw new ArgumentException("--system-id is required"), password ?? throw new ArgumentException("--password is required"),
            window, TimeSpan.FromSeconds(duration), TimeSpan.FromSeconds(warmup), receipts, version);
    }

    private readonly record struct Sample(TimeSpan Elapsed, long Submits, long Receipts, long Allocated, int Gen0, int Gen1, int Gen2);

    private sealed class Load(SmppSession session, Settings settings)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly ConcurrentDictionary<CommandStatus, long> _statuses = new();
        private long _submits;
        private long _notOk;
        private long _failures;
        private volatile bool _stopped;

        public long NotOk => Interlocked.Read(ref _notOk);

        public long Failures => Interlocked.Read(ref _failures);

        public void Stop() => _stopped = true;

        public Sample Snapshot(ReceiptCounter receipts) => new(_clock.Elapsed, Interlocked.Read(ref _submits), receipts.Count,
            GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

        public string DescribeStatuses()
        {
            var parts = new List<string>();
            foreach (var (status, count) in _statuses)
            {
                parts.Add($"{status.Describe()}={count}");
            }

            return parts.Count == 0 ? "" : $" ({string.Join(", ", parts)})";
        }

        // One submit_sm per worker, reused once answered: what is measured is the session, not building PDUs.
        public async Task WorkerAsync()
        {
            await Task.Yield();
            var submit = new SubmitSm
            {
                SourceAddrTon = Ton.Alphanumeric,
                SourceAddr = "Instasent",
                DestAddrTon = Ton.International,
                DestAddrNpi = Npi.Isdn,
                DestinationAddr = "+34676388300",
                RegisteredDelivery = settings.Receipts ? RegisteredDelivery.SmscReceiptOnSuccessOrFailure : RegisteredDelivery.None,
                ShortMessage = Encoding.ASCII.GetBytes("session-load benchmark message"),
            };
            while (!_stopped)
            {
                try
                {
                    var response = await session.SubmitAsync(submit).ConfigureAwait(false);
                    Interlocked.Increment(ref _submits);
                    if (response.CommandStatus != CommandStatus.ESME_ROK)
                    {
                        Interlocked.Increment(ref _notOk);
                        _statuses.AddOrUpdate(response.CommandStatus, 1, static (_, n) => n + 1);
                    }
                }
                catch (SmppException e)
                {
                    Interlocked.Increment(ref _failures);
                    if (e is SmppSessionClosedException)
                    {
                        Console.Error.WriteLine($"session closed: {e.Message}");
                        return;
                    }
                }
            }
        }
    }

    /// <summary>Counts receipts and answers every deliver_sm ESME_ROK at once.</summary>
    private sealed class ReceiptCounter : ISmppInboundHandler
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public ValueTask<Pdu?> HandleAsync(SmppSession session, Pdu request, CancellationToken cancellationToken)
        {
            if (request is DeliverSm { IsDeliveryReceipt: true })
            {
                Interlocked.Increment(ref _count);
            }

            return new ValueTask<Pdu?>((Pdu?)null);
        }
    }
}
