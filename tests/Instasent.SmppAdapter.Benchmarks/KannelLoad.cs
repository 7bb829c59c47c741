using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>
/// <c>kannel-load</c>: Kannel's side of <c>ops/load.sh --kannel</c>. Injects N messages over smsbox's HTTP
/// <c>sendsms</c> (GET, keep-alive, several connections at once) with <c>dlr-mask=1</c> and a <c>dlr-url</c> pointing
/// at the small Kestrel receiver this process runs, and prints messages/s with receipts (first injection to last
/// delivery-report callback) in <see cref="BusLoad"/>'s <c>result</c> line format, so the script tabulates both alike.
/// </summary>
/// <remarks>
/// Injector and receiver share one process: it is harness, its CPU is reported apart from bearerbox and smsbox, and
/// one clock times both ends. A receipt Kannel cannot match never calls back, so the run also ends once every
/// message was accepted and no callback came for <c>--quiet</c> seconds; the script counts the unmatched ones in
/// bearerbox's log.
/// </remarks>
internal static class KannelLoad
{
    private const string Usage = """
        Usage: kannel-load --sendsms http://127.0.0.1:13013/cgi-bin/sendsms --count 20000
                           [--user load] [--password load (or KANNEL_PASSWORD)] [--dlr-port 18776] [--connections 8] [--label kannel]
                           [--timeout 300] [--quiet 5] [--rate N]
          --connections  keep-alive connections to smsbox, one request in flight on each
          --rate         inject N messages a second on a fixed schedule (still at most --connections in flight), as
                         bus-load --rate does: CPU per message compared with the adapter's at one rate
          --dlr-port     the delivery-report receiver listens on 127.0.0.1:<port>
          --timeout      seconds, from the first injection, for every delivery report to arrive
          --quiet        seconds without a callback, once everything was accepted, after which the missing reports
                         are taken as lost (Kannel could not match their receipt)
        """;

    // Kannel's delivery-report type for "delivered to the handset" (dlr-mask bit 1).
    private const int Delivered = 1;

    private sealed record Settings(Uri SendSms, string User, string Password, int Count, int DlrPort, int Connections,
        string Label, TimeSpan Timeout, TimeSpan Quiet, int? Rate);

    public static async Task<int> RunAsync(string[] args)
    {
        if (LoadCommandLine.Parse(() => Parse(args), Usage) is not { } settings)
        {
            return 2;
        }

        var tracker = new DlrTracker(settings.Count);
        await using var receiver = await StartReceiverAsync(settings.DlrPort, tracker);
        // Every URL is built before the clock starts, as bus-load builds its bodies.
        var urls = new Uri[settings.Count];
        for (var i = 0; i < urls.Length; i++)
        {
            urls[i] = SendSmsUrl(settings, i);
        }

        using var http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = settings.Connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseProxy = false,
        })
        { Timeout = TimeSpan.FromSeconds(30) };
        using var deadline = new CancellationTokenSource(settings.Timeout);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        long refused = 0;
        async Task InjectAsync(int i)
        {
            tracker.Injected(i, Stopwatch.GetTimestamp());
            using var response = await http.GetAsync(urls[i], HttpCompletionOption.ResponseContentRead, deadline.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode && Interlocked.Increment(ref refused) == 1)
            {
                Console.WriteLine($"sendsms answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(deadline.Token).ConfigureAwait(false)}");
            }
        }

        var started = Stopwatch.GetTimestamp();
        var completed = true;
        try
        {
            if (settings.Rate is { } rate)
            {
                await LoadWorkers.OnScheduleAsync(settings.Count, rate, settings.Connections, InjectAsync, deadline.Token);
            }
            else
            {
                await LoadWorkers.ForEachIndexAsync(settings.Count, settings.Connections, InjectAsync);
            }
            var injected = Stopwatch.GetElapsedTime(started);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"kannel-load {settings.Label}: {settings.Count} sendsms in {injected.TotalSeconds:0.00} s ({settings.Count / injected.TotalSeconds:0}/s{(settings.Rate is { } r ? $", scheduled at {r}/s" : "")}, {settings.Connections} connections); refused {refused}"));
            await tracker.WaitAsync(settings.Quiet, deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            completed = false;
            Console.WriteLine($"timeout: not everything arrived within {settings.Timeout.TotalSeconds:0} s of the first injection");
        }
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
        tracker.Print(settings.Label, started, cpu, refused);
        return completed && refused == 0 ? 0 : 1;
    }

    private static Uri SendSmsUrl(Settings settings, int i)
    {
        var dlrUrl = string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{settings.DlrPort}/dlr?i={i}&t=%d");
        var to = "346" + (i % 100_000_000).ToString("00000000", CultureInfo.InvariantCulture);
        return new Uri(string.Create(CultureInfo.InvariantCulture,
            $"{settings.SendSms}?username={Uri.EscapeDataString(settings.User)}&password={Uri.EscapeDataString(settings.Password)}&from=Instasent&to={to}&coding=0&text={Uri.EscapeDataString(BusLoad.Text160)}&dlr-mask={Delivered}&dlr-url={Uri.EscapeDataString(dlrUrl)}"));
    }

    /// <summary>A Kestrel endpoint that answers every request 200 and hands <c>i</c> and <c>t</c> to the tracker.</summary>
    private static async Task<WebApplication> StartReceiverAsync(int port, DlrTracker tracker)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.Run(context =>
        {
            var query = context.Request.Query;
            if (int.TryParse(query["i"], CultureInfo.InvariantCulture, out var i) && int.TryParse(query["t"], CultureInfo.InvariantCulture, out var type))
            {
                tracker.OnDlr(i, type, Stopwatch.GetTimestamp());
            }
            else
            {
                tracker.OnForeign();
            }

            return Task.CompletedTask;
        });
        await app.StartAsync();
        return app;
    }

    private static Settings Parse(string[] args)
    {
        Uri? sendSms = null;
        int? count = null;
        // The password from the environment (KANNEL_PASSWORD) keeps it off the command line, where `ps` shows it.
        string user = "load", password = Environment.GetEnvironmentVariable("KANNEL_PASSWORD") ?? "load", label = "kannel";
        int dlrPort = 18776, connections = 8, timeout = 300, quiet = 5;
        int? rate = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int(string name) => int.TryParse(Value(), CultureInfo.InvariantCulture, out var v) && v > 0 ? v : throw new ArgumentException($"{name} must be a positive integer");
            switch (args[i])
            {
                case "--sendsms": sendSms = Uri.TryCreate(Value(), UriKind.Absolute, out var uri) ? uri : throw new ArgumentException("--sendsms must be an http:// URL"); break;
                case "--count": count = Int("--count"); break;
                case "--user": user = Value(); break;
                case "--password": password = Value(); break;
                case "--dlr-port": dlrPort = Int("--dlr-port"); break;
                case "--connections": connections = Int("--connections"); break;
                case "--label": label = Value(); break;
                case "--timeout": timeout = Int("--timeout"); break;
                case "--quiet": quiet = Int("--quiet"); break;
                case "--rate": rate = Int("--rate"); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        return new Settings(sendSms ?? throw new ArgumentException("--sendsms is required"), user, password,
            count ?? throw new ArgumentException("--count is required"), dlrPort, connections, label,
            TimeSpan.FromSeconds(timeout), TimeSpan.FromSeconds(quiet), rate);
    }

    /// <summary>Per message: when it was injected, when its delivery report arrived, how many arrived.</summary>
    private sealed class DlrTracker(int count)
    {
        private readonly long[] _injectedAt = new long[count];
        private readonly long[] _reportedAt = new long[count];
        private readonly int[] _reports = new int[count];
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _distinct;
        private long _duplicates;
        private long _otherTypes;
        private long _foreign;
        private long _lastAt;

        public void Injected(int i, long at) => _injectedAt[i] = at;

        // Kestrel calls this from several threads at once.
        public void OnDlr(int i, int type, long at)
        {
            if (i < 0 || i >= count)
            {
                OnForeign();
                return;
            }
            if (type != Delivered)
            {
                Interlocked.Increment(ref _otherTypes);
                return;
            }
            if (Interlocked.Increment(ref _reports[i]) > 1)
            {
                Interlocked.Increment(ref _duplicates);
                return;
            }
            _reportedAt[i] = at;
            InterlockedMax(ref _lastAt, at);
            if (Interlocked.Increment(ref _distinct) == count)
            {
                _all.TrySetResult();
            }
        }

        public void OnForeign() => Interlocked.Increment(ref _foreign);

        /// <summary>Until every report arrived, or none came for <paramref name="quiet"/> (a bounded wait, polled).</summary>
        public async Task WaitAsync(TimeSpan quiet, CancellationToken cancellationToken)
        {
            var lastCount = -1;
            var lastChange = Stopwatch.GetTimestamp();
            while (!_all.Task.IsCompleted)
            {
                var now = Volatile.Read(ref _distinct);
                if (now != lastCount)
                {
                    lastCount = now;
                    lastChange = Stopwatch.GetTimestamp();
                }
                else if (Stopwatch.GetElapsedTime(lastChange) >= quiet)
                {
                    return;
                }
                await Task.WhenAny(_all.Task, Task.Delay(TimeSpan.FromMilliseconds(200), cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        public void Print(string label, long started, TimeSpan cpu, long refused)
        {
            var inv = CultureInfo.InvariantCulture;
            var latencies = new List<double>(count);
            for (var i = 0; i < count; i++)
            {
                if (_reports[i] > 0)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(_injectedAt[i], _reportedAt[i]).TotalMilliseconds);
                }
            }

            latencies.Sort();
            var span = _lastAt == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(started, _lastAt);
            var perSecond = span > TimeSpan.Zero ? _distinct / span.TotalSeconds : 0;
            var missing = count - _distinct;
            Console.WriteLine(string.Create(inv, $"delivery reports: {_distinct} of {count} (duplicates {_duplicates}, missing {missing}, other types {_otherTypes}, foreign {_foreign}), {perSecond:0}/s first injection to last report ({span.TotalSeconds:0.00} s)"));
            Console.WriteLine(string.Create(inv, $"latency injection->report ms: p50 {BusLoad.Percentile(latencies, 50):0} p95 {BusLoad.Percentile(latencies, 95):0} p99 {BusLoad.Percentile(latencies, 99):0}; injector+receiver cpu: {cpu.TotalSeconds:0.00} s"));
            // ok: every message accepted and no report twice; the missing ones are the script's "unmatched" column.
            Console.WriteLine(string.Create(inv,
                $"result label={label} count={count} seconds={span.TotalSeconds:0.000} span_s={span.TotalSeconds:0.000} per_s={perSecond:0} p50_ms={BusLoad.Percentile(latencies, 50):0} p95_ms={BusLoad.Percentile(latencies, 95):0} p99_ms={BusLoad.Percentile(latencies, 99):0} receipts_per_s={perSecond:0} outcomes={_distinct} duplicates={_duplicates} missing={missing} rejected={refused} receipts={_distinct} ok={(refused == 0 && _duplicates == 0 ? 1 : 0)} loadgen_cpu_s={cpu.TotalSeconds:0.00}"));
        }

        private static void InterlockedMax(ref long location, long value)
        {
            for (var current = Volatile.Read(ref location); value > current; current = Volatile.Read(ref location))
            {
                if (Interlocked.CompareExchange(ref location, value, current) == current)
                {
                    return;
                }
            }
        }
    }
}
