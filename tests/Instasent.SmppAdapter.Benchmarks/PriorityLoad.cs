using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using Instasent.SmppAdapter.Contracts;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>
/// <c>priority-load</c> (ops/priority.sh): the priority lane under a backlog. While the connection has no bound session,
/// publishes N normal <see cref="SendSms"/> to <c>smpp-send-sms</c> and waits until the router has parked them all in
/// <c>smpp-send-sms.&lt;connection&gt;</c>; then M high ones, either at once (parked in the <c>.high</c> queue too) or,
/// with <c>--high-after K</c>, once K outcomes have arrived (the backlog draining, part of it prefetched). Prints
/// <c>queued</c> when the caller should let the session bind, then, from the bind (the first <c>SmppSessionBound</c>
/// after that line): when the last high command got its <c>SmsSubmitted</c> and at which position among all outcomes,
/// and when the whole backlog had drained.
/// </summary>
internal static class PriorityLoad
{
    private const string Usage = """
        Usage: priority-load [--rabbitmq amqp://guest:guest@127.0.0.1:5672/vhost] [--connection instasent]
                             [--normal 50000] [--high 100] [--high-after 0] [--timeout 900]
          --rabbitmq    the adapter's broker and virtual host (default: the RABBITMQ_URI environment variable)
          --high-after  0: the high commands are queued behind the backlog before the bind; K: published once K
                        outcomes arrived (the backlog draining)
        """;

    private static readonly string[] Exchanges = [ContractNames.SmsSubmitted, ContractNames.SmsRejected, ContractNames.SmppSessionBound];

    private sealed record Settings(Uri Broker, string Connection, int Normal, int High, int HighAfter, TimeSpan Timeout);

    public static async Task<int> RunAsync(string[] args)
    {
        if (LoadCommandLine.Parse(() => Parse(args), Usage) is not { } settings)
        {
            return 2;
        }
        var inv = CultureInfo.InvariantCulture;
        var prefix = $"prio-{Guid.NewGuid().ToString("N")[..8]}-";
        var total = settings.Normal + settings.High;
        var tracker = new Tracker(prefix, settings.Normal, total);

        var factory = new ConnectionFactory { Uri = settings.Broker, ClientProvidedName = "priority-load" };
        using var deadline = new CancellationTokenSource(settings.Timeout);
        await using var subscriberConnection = await factory.CreateConnectionAsync(deadline.Token);
        await using var subscriber = await subscriberConnection.CreateChannelAsync(cancellationToken: deadline.Token);
        var events = (await subscriber.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: deadline.Token)).QueueName;
        foreach (var exchange in Exchanges)
        {
            await subscriber.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, cancellationToken: deadline.Token);
            await subscriber.QueueBindAsync(events, exchange, "", cancellationToken: deadline.Token);
        }
        var consumer = new AsyncEventingBasicConsumer(subscriber);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            tracker.OnEvent(delivery.Exchange, delivery.Body.Span, Stopwatch.GetTimestamp());
            return Task.CompletedTask;
        };
        await subscriber.BasicConsumeAsync(events, autoAck: true, consumer, deadline.Token);

        await using var publisherConnection = await factory.CreateConnectionAsync(deadline.Token);
        using var limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions { PermitLimit = 256, QueueLimit = 256 });
        await using var publisher = await publisherConnection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: limiter),
            deadline.Token);
        await WaitForRouterAsync(publisherConnection, deadline.Token);
        await using var probe = await publisherConnection.CreateChannelAsync(cancellationToken: deadline.Token);
        var properties = new BasicProperties { ContentType = "application/json", DeliveryMode = DeliveryModes.Persistent };

        Task PublishAsync(int first, int count, string priority) => LoadWorkers.ForEachIndexAsync(count, 256, i =>
        {
            var n = first + i;
            var body = JsonSerializer.SerializeToUtf8Bytes(new
            {
                messageId = prefix + n.ToString(inv),
                from = "Instasent",
                to = "+346" + (n % 100_000_000).ToString("00000000", inv),
                text = BusLoad.Text160,
                encoding = "gsm7",
                requestDeliveryReport = false,
                connection = settings.Connection,
                priority,
            });
            if (priority == SmsPriorities.High)
            {
                tracker.HighPublished(n, Stopwatch.GetTimestamp());
            }
            return publisher.BasicPublishAsync("", ContractNames.SendSmsQueue, mandatory: false, properties, body, deadline.Token).AsTask();
        });

        var normalQueue = $"{ContractNames.SendSmsQueue}.{settings.Connection}";
        async Task<bool> ParkedAsync(string queue, int count) => (await probe.QueueDeclarePassiveAsync(queue, deadline.Token)).MessageCount == count;
        async Task UntilAsync(Func<Task<bool>> condition)
        {
            while (!await condition())
            {
                await Task.Delay(200, deadline.Token);
            }
        }

        try
        {
            var publishing = Stopwatch.StartNew();
            await PublishAsync(0, settings.Normal, SmsPriorities.Normal);
            Console.WriteLine(string.Create(inv, $"published {settings.Normal} normal commands in {publishing.Elapsed.TotalSeconds:0.0} s"));
            await UntilAsync(() => ParkedAsync(normalQueue, settings.Normal));
            if (settings.HighAfter == 0)
            {
                await PublishAsync(settings.Normal, settings.High, SmsPriorities.High);
                await UntilAsync(() => ParkedAsync(normalQueue + ".high", settings.High));
            }
            Console.WriteLine(string.Create(inv, $"queued: {settings.Normal} normal in {normalQueue}, {(settings.HighAfter == 0 ? settings.High : 0)} high in {normalQueue}.high; let the session bind"));
            tracker.Armed();
            if (settings.HighAfter > 0)
            {
                await tracker.OutcomesReached(settings.HighAfter).WaitAsync(deadline.Token);
                Console.WriteLine(string.Create(inv, $"{tracker.Outcomes} outcomes in: publishing {settings.High} high commands"));
                await PublishAsync(settings.Normal, settings.High, SmsPriorities.High);
            }
            await tracker.Done.WaitAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Console.WriteLine(string.Create(inv, $"timeout: {tracker.Outcomes} of {total} outcomes within {settings.Timeout.TotalSeconds:0} s"));
            return 1;
        }
        // A duplicate outcome would come shortly after the first one: give it a moment before counting.
        await Task.Delay(TimeSpan.FromSeconds(1));
        return tracker.Print(settings) ? 0 : 1;
    }

    /// <summary>
    /// Until the adapter's router consumes <c>smpp-send-sms</c>: a command published before the queue exists would be
    /// dropped. A passive declare of a missing queue closes its channel, hence a new channel per try.
    /// </summary>
    private static async Task WaitForRouterAsync(IConnection connection, CancellationToken cancellationToken)
    {
        while (true)
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
            try
            {
                if ((await channel.QueueDeclarePassiveAsync(ContractNames.SendSmsQueue, cancellationToken)).ConsumerCount > 0)
                {
                    return;
                }
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
            }
            await Task.Delay(200, cancellationToken);
        }
    }

    private static Settings Parse(string[] args)
    {
        Uri? broker = null;
        var connection = "instasent";
        int normal = 50_000, high = 100, highAfter = 0, timeout = 900;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int(string name, int min) => int.TryParse(Value(), CultureInfo.InvariantCulture, out var v) && v >= min ? v : throw new ArgumentException($"{name} must be an integer >= {min}");
            switch (args[i])
            {
                case "--rabbitmq": broker = Uri.TryCreate(Value(), UriKind.Absolute, out var uri) ? uri : throw new ArgumentException("--rabbitmq must be an amqp:// URI"); break;
                case "--connection": connection = Value(); break;
                case "--normal": normal = Int("--normal", 1); break;
                case "--high": high = Int("--high", 1); break;
                case "--high-after": highAfter = Int("--high-after", 0); break;
                case "--timeout": timeout = Int("--timeout", 1); break;
                default: throw new ArgumentException($"unknown argument {args[i]}");
            }
        }
        if (highAfter >= normal)
        {
            throw new ArgumentException("--high-after must be below --normal");
        }
        // From the environment when not given: a URI with credentials on a command line is visible to every local user.
        broker ??= Environment.GetEnvironmentVariable("RABBITMQ_URI") is { Length: > 0 } fromEnvironment
            ? Uri.TryCreate(fromEnvironment, UriKind.Absolute, out var environmentUri) ? environmentUri : throw new ArgumentException("RABBITMQ_URI must be an amqp:// URI")
            : null;
        return new Settings(broker ?? throw new ArgumentException("--rabbitmq (or RABBITMQ_URI) is required"), connection, normal, high, highAfter, TimeSpan.FromSeconds(timeout));
    }

    /// <summary>
    /// Outcomes in the order they arrive (one consumer dispatch thread: no locks needed there), and the first bind after
    /// <see cref="Armed"/>. Commands numbered below <c>normal</c> are normal, the rest high.
    /// </summary>
    private sealed class Tracker(string prefix, int normal, int total)
    {
        private readonly int[] _outcomes = new int[total];
        private readonly long[] _outcomeAt = new long[total];
        private readonly long[] _highPublishedAt = new long[total];
        private readonly List<int> _order = new(total);
        private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<(int Count, TaskCompletionSource Reached)> _thresholds = [];
        private long _boundAt;
        private volatile bool _armed;
        private int _rejected;
        private int _duplicates;
        private int _count;

        public Task Done => _done.Task;

        public int Outcomes => Volatile.Read(ref _count);

        public void Armed() => _armed = true;

        public void HighPublished(int n, long at) => _highPublishedAt[n] = at;

        public Task OutcomesReached(int count)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_thresholds)
            {
                if (Outcomes >= count)
                {
                    reached.TrySetResult();
                }
                else
                {
                    _thresholds.Add((count, reached));
                }
            }
            return reached.Task;
        }

        public void OnEvent(string exchange, ReadOnlySpan<byte> body, long at)
        {
            if (exchange == ContractNames.SmppSessionBound)
            {
                if (_armed && _boundAt == 0)
                {
                    _boundAt = at;
                }
                return;
            }
            using var envelope = JsonDocument.Parse(body.ToArray());
            var messageId = envelope.RootElement.GetProperty("message").GetProperty("messageId").GetString();
            if (messageId is null || !messageId.StartsWith(prefix, StringComparison.Ordinal)
                || !int.TryParse(messageId.AsSpan(prefix.Length), CultureInfo.InvariantCulture, out var n) || n < 0 || n >= total)
            {
                return;
            }
            if (exchange == ContractNames.SmsRejected)
            {
                _rejected++;
            }
            if (++_outcomes[n] > 1)
            {
                _duplicates++;
                return;
            }
            _outcomeAt[n] = at;
            _order.Add(n);
            var count = Interlocked.Increment(ref _count);
            lock (_thresholds)
            {
                foreach (var threshold in _thresholds.Where(t => count >= t.Count))
                {
                    threshold.Reached.TrySetResult();
                }
            }
            if (count == total)
            {
                _done.TrySetResult();
            }
        }

        /// <summary>Prints the figures; true when every command got exactly one outcome, none rejected.</summary>
        public bool Print(Settings settings)
        {
            var inv = CultureInfo.InvariantCulture;
            var start = _boundAt != 0 ? _boundAt : _outcomeAt.Where(t => t != 0).DefaultIfEmpty(0).Min();
            double Seconds(long at) => Stopwatch.GetElapsedTime(start, at).TotalSeconds;
            var lastHighPosition = _order.FindLastIndex(n => n >= normal);
            var lastHigh = _order[lastHighPosition];
            var normalBefore = _order.Take(lastHighPosition).Count(n => n < normal);
            var highLatencies = Enumerable.Range(normal, total - normal)
                .Select(n => Stopwatch.GetElapsedTime(_highPublishedAt[n], _outcomeAt[n]).TotalSeconds)
                .Order()
                .ToList();
            var drained = Seconds(_order.Where(n => n < normal).Select(n => _outcomeAt[n]).Max());
            var ok = _order.Count == total && _duplicates == 0 && _rejected == 0;
            Console.WriteLine(string.Create(inv, $"from the bind{(_boundAt == 0 ? " (no SmppSessionBound seen: from the first outcome)" : "")}:"));
            Console.WriteLine(string.Create(inv,
                $"  last high SmsSubmitted: {Seconds(_outcomeAt[lastHigh]):0.00} s, outcome #{lastHighPosition + 1} of {total} ({normalBefore} normal ones before it)"));
            if (settings.HighAfter > 0)
            {
                var firstHighPublished = _highPublishedAt.Where(t => t != 0).Min();
                var overtaken = _order.Take(lastHighPosition).Count(n => n < normal && _outcomeAt[n] > firstHighPublished);
                Console.WriteLine(string.Create(inv,
                    $"  high published after {settings.HighAfter} outcomes, at {Seconds(firstHighPublished):0.00} s; publish->SmsSubmitted p50 {BusLoad.Percentile(highLatencies.Select(s => s * 1000).ToList(), 50):0} ms, max {highLatencies[^1] * 1000:0} ms; {overtaken} normal outcomes between the first high publish and the last high outcome"));
            }
            Console.WriteLine(string.Create(inv, $"  backlog drained (last normal SmsSubmitted): {drained:0.00} s, outcome #{total}"));
            Console.WriteLine(string.Create(inv, $"  outcomes: {_order.Count} of {total}, duplicates {_duplicates}, rejected {_rejected}: exactly one each {(ok ? "yes" : "NO")}"));
            Console.WriteLine(string.Create(inv,
                $"result normal={settings.Normal} high={settings.High} high_after={settings.HighAfter} last_high_s={Seconds(_outcomeAt[lastHigh]):0.000} last_high_position={lastHighPosition + 1} normal_before_last_high={normalBefore} drained_s={drained:0.000} ok={(ok ? 1 : 0)}"));
            return ok;
        }
    }
}
