using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Instasent.SmppAdapter.Benchmarks;

/// <summary>
/// <c>broker-trace</c>: what the broker does per command, from RabbitMQ's firehose. With tracing on for a virtual host
/// (<c>rabbitmqctl trace_on -p VHOST</c>), every publish to an exchange and every delivery from a queue is copied to
/// <c>amq.rabbitmq.trace</c> with the routing key <c>publish.&lt;exchange&gt;</c> or <c>deliver.&lt;queue&gt;</c>. This
/// counts them, with body and header bytes, until SIGTERM/Ctrl-C or <c>--seconds</c>, and prints one line each,
/// divided by <c>--commands</c>. Tracing costs the broker CPU: use it for counts and sizes, never for timings.
/// </summary>
internal static class BrokerTrace
{
    private const string Usage = "Usage: broker-trace --rabbitmq amqp://guest:guest@127.0.0.1:5672/vhost --commands 20000 [--seconds 600]";

    private sealed class Tally
    {
        public long Count;
        public long BodyBytes;
        public long HeaderBytes;
        public string Example = "";
    }

    public static async Task<int> RunAsync(string[] args)
    {
        Uri? broker = null;
        int commands = 0, seconds = 600;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--rabbitmq" when Uri.TryCreate(args[i + 1], UriKind.Absolute, out var uri): broker = uri; break;
                case "--commands" when int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var c) && c > 0: commands = c; break;
                case "--seconds" when int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var s) && s > 0: seconds = s; break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        if (broker is null || commands == 0 || args.Length % 2 != 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var tallies = new ConcurrentDictionary<string, Tally>(StringComparer.Ordinal);
        var factory = new ConnectionFactory { Uri = broker, ClientProvidedName = "broker-trace" };
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true)).QueueName;
        await channel.QueueBindAsync(queue, "amq.rabbitmq.trace", "#");
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            // One consumer dispatch thread: the tallies need no locks of their own.
            var tally = tallies.GetOrAdd(delivery.RoutingKey, _ => new Tally());
            tally.Count++;
            tally.BodyBytes += delivery.Body.Length;
            tally.HeaderBytes += OriginalHeaderBytes(delivery.BasicProperties.Headers);
            if (tally.Example.Length == 0)
            {
                tally.Example = Encoding.UTF8.GetString(delivery.Body.Span);
            }

            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue, autoAck: true, consumer);
        Console.WriteLine("broker-trace ready");

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.TrySetResult(); });
        using var onInt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.TrySetResult(); });
        await Task.WhenAny(stop.Task, Task.Delay(TimeSpan.FromSeconds(seconds)));

        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(inv, $"{"publish.<exchange> / deliver.<queue>",-60} {"count",9} {"per cmd",8} {"body B",7} {"headers B",9}"));
        foreach (var (key, tally) in tallies.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            Console.WriteLine(string.Create(inv,
                $"{key,-60} {tally.Count,9} {(double)tally.Count / commands,8:0.00} {tally.BodyBytes / Math.Max(1, tally.Count),7} {tally.HeaderBytes / Math.Max(1, tally.Count),9}"));
        }
        Console.WriteLine(string.Create(inv, $"per command: {tallies.Where(t => t.Key.StartsWith("publish.", StringComparison.Ordinal)).Sum(t => t.Value.Count) / (double)commands:0.00} publishes, {tallies.Where(t => t.Key.StartsWith("deliver.", StringComparison.Ordinal)).Sum(t => t.Value.Count) / (double)commands:0.00} deliveries"));
        foreach (var (key, tally) in tallies.Where(t => t.Key.StartsWith("publish.", StringComparison.Ordinal)).OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            Console.WriteLine($"example body of {key}: {tally.Example}");
        }

        return 0;
    }

    // The firehose copies the original message's properties into its headers ("properties" -> "headers"); their
    // names and values, as text, approximate what the original message's headers cost on the wire.
    private static long OriginalHeaderBytes(IDictionary<string, object?>? traceHeaders)
    {
        if (traceHeaders is null || !traceHeaders.TryGetValue("properties", out var properties) || properties is not IDictionary<string, object?> table
            || !table.TryGetValue("headers", out var headers) || headers is not IDictionary<string, object?> original)
        {
            return 0;
        }

        long bytes = 0;
        foreach (var (name, value) in original)
        {
            bytes += name.Length + (value switch { byte[] b => b.Length, null => 0, _ => value.ToString()?.Length ?? 0 });
        }

        return bytes;
    }
}
