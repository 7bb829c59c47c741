using System.Globalization;
using Instasent.SmppAdapter.Contracts;
using MassTransit;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>
/// <c>bus-load baseline</c>: the adapter's broker hops with nothing behind them, for comparison in the same run.
/// <c>smpp-send-sms</c> is consumed with the adapter's settings and each command is forwarded to
/// <c>smpp-send-sms.&lt;connection&gt;</c> (the adapter's router hop); that queue is consumed with the adapter's
/// prefetch and concurrency (Sessions × WindowSize) and each command is answered with one <see cref="SmsSubmitted"/>
/// published to its fanout exchange with publisher confirms. No validation, no idempotency store, no SMPP.
/// With <c>--hops 1</c> it is the bare ceiling of any MassTransit adapter instead: <c>smpp-send-sms</c> itself is
/// consumed with that prefetch and concurrency and each command is answered with one <see cref="SmsSubmitted"/>
/// (one command consumed, one event published: the least a MassTransit service can do per command). A command that
/// asks for a delivery report (<c>requestDeliveryReport</c>, as <c>bus-load --receipts</c> sends) is also answered with
/// one <see cref="SmsDeliveryReported"/>, published through the bus as the adapter publishes a receipt, confirmed before
/// the command is acknowledged: one command in, two events out, the least a MassTransit adapter can do with receipts.
/// With <c>--raw-events true</c> the events are published as raw JSON (no MassTransit envelope).
/// With <c>--client rabbitmq</c> it is the one-hop floor on RabbitMQ.Client alone (<see cref="ClientBaselineService"/>);
/// with <c>--client hybrid</c> MassTransit consumes and RabbitMQ.Client publishes the events. With <c>--client rabbitmq
/// --receipt-delay MS</c> the command is acknowledged once its <see cref="SmsSubmitted"/> is confirmed and its
/// <see cref="SmsDeliveryReported"/> published MS later on its own, as a receipt reaches the adapter after its submit.
/// Runs until SIGTERM or Ctrl-C; SIGHUP prints its thread-pool work items and allocated bytes so far (<see cref="BaselineSignals"/>).
/// </summary>
internal static class BaselineService
{
    public static async Task<int> RunAsync(string[] args, string usage)
    {
        Uri? broker = null;
        var connection = "instasent";
        var concurrency = 100;
        var hops = 2;
        var rawEvents = false;
        var client = "masstransit";
        var receiptDelay = TimeSpan.Zero;
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            var value = i + 1 < args.Length ? args[++i] : null;
            switch (name)
            {
                case "--rabbitmq" when Uri.TryCreate(value, UriKind.Absolute, out var uri): broker = uri; break;
                case "--connection" when !string.IsNullOrEmpty(value): connection = value; break;
                case "--concurrency" when int.TryParse(value, CultureInfo.InvariantCulture, out var c) && c > 0: concurrency = c; break;
                case "--hops" when value is "1" or "2": hops = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--raw-events" when value is "true" or "false": rawEvents = value == "true"; break;
                case "--client" when value is "masstransit" or "rabbitmq" or "hybrid": client = value; break;
                case "--receipt-delay" when int.TryParse(value, CultureInfo.InvariantCulture, out var ms) && ms is >= 0 and <= 60_000:
                    receiptDelay = TimeSpan.FromMilliseconds(ms);
                    break;
                default:
                    Console.Error.WriteLine($"bus-load baseline: {name} {value} is not understood");
                    Console.Error.WriteLine(usage);
                    return 2;
            }
        }
        if (broker is null)
        {
            Console.Error.WriteLine("bus-load baseline: --rabbitmq is required");
            return 2;
        }

        using var signals = new BaselineSignals();
        if (client == "rabbitmq")
        {
            return await ClientBaselineService.RunAsync(broker, connection, concurrency, receiptDelay, signals);
        }

        var connectionQueue = $"{SendSms.QueueName}.{connection}";
        // The queue whose consumer publishes the outcome: the connection's queue behind the router hop, or the command queue.
        var outcomeQueue = hops == 2 ? connectionQueue : SendSms.QueueName;
        // The consumer publishes receipts through the bus itself, which exists only once configured.
        var receipts = new ReceiptPublisher(connection);
        // --client hybrid: MassTransit consumes, RabbitMQ.Client publishes both events (what moving only the publishes would leave).
        await using var clientEvents = client == "hybrid"
            ? await ClientBaselineService.RawEvents.OpenAsync(broker, connection, concurrency, CancellationToken.None)
            : null;
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(broker, host => host.PublisherConfirmation = true);
            cfg.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);
            if (rawEvents)
            {
                // Events as the bare JSON of the contract (no envelope, no indentation): the smallest messages a
                // MassTransit service can publish, for the floor's cost with them.
                cfg.UseRawJsonSerializer(RawSerializerOptions.AddTransportHeaders | RawSerializerOptions.CopyHeaders, isDefault: true);
            }
            if (hops == 2)
            {
                cfg.ReceiveEndpoint(SendSms.QueueName, endpoint =>
                {
                    endpoint.ConfigureConsumeTopology = false;
                    endpoint.UseMessageRetry(retry => retry.Intervals(100, 500, 2000));
                    endpoint.Consumer(() => new ForwardToConnectionQueue(new Uri($"queue:{connectionQueue}")));
                });
            }
            cfg.ReceiveEndpoint(outcomeQueue, endpoint =>
            {
                endpoint.ConfigureConsumeTopology = false;
                endpoint.ConcurrentMessageLimit = concurrency;
                endpoint.PrefetchCount = concurrency;
                endpoint.UseMessageRetry(retry => retry.Intervals(100, 500, 2000));
                endpoint.Consumer(() => new PublishSubmitted(connection, receipts, clientEvents));
            });
        });
        receipts.Bus = bus;

        using (var starting = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            var handle = await bus.StartAsync(starting.Token);
            await handle.Ready.WaitAsync(starting.Token);
        }
        var route = hops == 2 ? $"{SendSms.QueueName} -> {connectionQueue}" : SendSms.QueueName;
        Console.WriteLine($"baseline ready: {route} (prefetch and concurrency {concurrency}) -> {ContractNames.SmsSubmitted}{(clientEvents is null ? "" : ", events through RabbitMQ.Client")}");
        await signals.Stopped;
        using var stopping = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await bus.StopAsync(stopping.Token);
        return 0;
    }

    /// <summary>The adapter's router hop, without validation.</summary>
    public sealed class ForwardToConnectionQueue(Uri connectionQueue) : IConsumer<SendSms>
    {
        public async Task Consume(ConsumeContext<SendSms> context)
        {
            var endpoint = await context.GetSendEndpoint(connectionQueue).ConfigureAwait(false);
            await endpoint.Send(context.Message, context.CancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The adapter's outcome publish, without the submit_sm in front of it; and its receipt, when asked for.</summary>
    public sealed class PublishSubmitted(string connection, ReceiptPublisher receipts, ClientBaselineService.RawEvents? rawEvents) : IConsumer<SendSms>
    {
        private static long _sequence;

        public async Task Consume(ConsumeContext<SendSms> context)
        {
            if (rawEvents is not null)
            {
                await rawEvents.AnswerAsync(context.Message).ConfigureAwait(false);
                return;
            }
            var smscMessageId = Interlocked.Increment(ref _sequence).ToString(CultureInfo.InvariantCulture);
            await context.Publish(Submitted(context.Message, smscMessageId, connection, DateTimeOffset.UtcNow), CancellationToken.None).ConfigureAwait(false);
            if (context.Message.RequestDeliveryReport)
            {
                await receipts.PublishAsync(context.Message, smscMessageId).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The adapter's receipt publish (through the bus, not the consume context), without the deliver_sm.</summary>
    public sealed class ReceiptPublisher(string connection)
    {
        public IBus? Bus { get; set; }

        public Task PublishAsync(SendSms command, string smscMessageId) =>
            Bus!.Publish(Receipt(command, smscMessageId, connection, DateTimeOffset.UtcNow), CancellationToken.None);
    }

    /// <summary>The outcome every floor answers a command with.</summary>
    internal static SmsSubmitted Submitted(SendSms command, string smscMessageId, string connection, DateTimeOffset at) => new()
    {
        MessageId = command.MessageId,
        SmscMessageIds = [smscMessageId],
        Segments = 1,
        Connection = connection,
        SessionId = "baseline",
        SubmittedAt = at,
        Metadata = command.Metadata,
    };

    /// <summary>The receipt every floor publishes for a command that asked for one.</summary>
    internal static SmsDeliveryReported Receipt(SendSms command, string smscMessageId, string connection, DateTimeOffset at) => new()
    {
        MessageId = command.MessageId,
        SmscMessageId = smscMessageId,
        Segment = 1,
        Segments = 1,
        Status = "DELIVRD",
        SubmittedAt = at,
        DoneAt = at,
        ReceivedAt = at,
        Intermediate = false,
        Connection = connection,
        Metadata = command.Metadata,
    };
}
