using Instasent.SmppAdapter.Configuration;
using MassTransit.RabbitMqTransport.Configuration;

namespace Instasent.SmppAdapter.Hosting;

/// <summary>
/// How every queue the adapter owns is declared (<c>RabbitMq:QueueType</c>): the command queue <c>smpp-send-sms</c>,
/// each <c>smpp-send-sms.&lt;connection&gt;</c>, <c>smpp-inbound-parts</c>, and MassTransit's <c>_error</c> and
/// <c>_skipped</c> queues beside them. One place, because RabbitMQ refuses a declaration whose arguments differ from the
/// queue's (PRECONDITION_FAILED), so whoever declares a queue must declare it exactly alike.
/// </summary>
/// <remarks>
/// Quorum (RabbitMQ 3.10): the queue is replicated on a majority of the nodes; <c>x-delivery-limit</c> dead-letters a
/// message delivered that often (a consumer that keeps dying on it) into the queue's <c>_error</c> queue, at least once
/// (<c>x-dead-letter-strategy</c>, which needs <c>x-overflow=reject-publish</c>; there is no length limit, so it never
/// rejects). The <c>_error</c>/<c>_skipped</c> queues are quorum queues without either (they are the end of the line).
/// Messages keep their order only per publisher; priorities (<c>x-max-priority</c>) do not exist on quorum queues.
/// A queue cannot change type: see the README (Quorum queues) for moving from classic.
/// </remarks>
public static class QueueTopology
{
    public const string DeliveryLimitArgument = "x-delivery-limit";
    public const string DeadLetterExchangeArgument = "x-dead-letter-exchange";
    public const string DeadLetterStrategyArgument = "x-dead-letter-strategy";
    public const string OverflowArgument = "x-overflow";

    /// <summary>MassTransit's fault queue beside <paramref name="queue"/>; also the quorum queue's dead-letter target.</summary>
    public static string ErrorQueueName(string queue) => $"{queue}_error";

    /// <summary>
    /// Makes <paramref name="endpoint"/>'s queue (named <paramref name="queue"/>) the configured type; a transport other
    /// than RabbitMQ (the tests' in-memory harness) is left as it is.
    /// </summary>
    public static void Apply(IReceiveEndpointConfigurator endpoint, string queue, RabbitMqOptions options)
    {
        if (endpoint is not IRabbitMqReceiveEndpointConfigurator rabbit || options.QueueType != RabbitMqQueueType.Quorum)
        {
            return;
        }
        ConfigureQueue(rabbit, queue, options);
        // The dead-letter target exists before anything can be dead-lettered into it (a missing exchange drops the message).
        rabbit.BindDeadLetterQueue(ErrorQueueName(queue), ErrorQueueName(queue), ConfigureEndOfLine);
    }

    /// <summary>
    /// Declares <paramref name="queue"/> (bound to its exchange of the same name, as MassTransit's receive endpoint does)
    /// from <paramref name="endpoint"/>'s topology, so it exists, with its arguments, before anything is sent to it: the
    /// router forwards to a connection's queue long before that connection's endpoint is first consumed.
    /// </summary>
    public static void Declare(IReceiveEndpointConfigurator endpoint, string queue, RabbitMqOptions options)
    {
        if (endpoint is not IRabbitMqEndpointConfiguration rabbit)
        {
            return;
        }
        rabbit.Topology.Consume.BindQueue(queue, queue, q => ConfigureQueue(q, queue, options));
        if (options.QueueType == RabbitMqQueueType.Quorum)
        {
            rabbit.Topology.Consume.BindQueue(ErrorQueueName(queue), ErrorQueueName(queue), ConfigureEndOfLine);
        }
    }

    /// <summary>
    /// Bus-wide: the <c>_error</c> and <c>_skipped</c> queues MassTransit declares when it first moves a message there.
    /// MassTransit copies the source queue's arguments onto them; with quorum, the delivery limit and dead-lettering
    /// are taken off again (an error queue dead-lettering into itself would loop).
    /// </summary>
    public static void ConfigureFaultQueues(IRabbitMqBusFactoryConfigurator bus, RabbitMqOptions options)
    {
        if (options.QueueType != RabbitMqQueueType.Quorum)
        {
            return;
        }
        bus.SendTopology.ConfigureErrorSettings = ConfigureEndOfLine;
        bus.SendTopology.ConfigureDeadLetterSettings = ConfigureEndOfLine;
    }

    /// <summary>A send to a queue's exchange fails (the broker returns it) when nothing is bound to it, instead of vanishing.</summary>
    public static void Mandatory(SendContext send)
    {
        if (send.TryGetPayload<RabbitMqSendContext>(out var rabbit))
        {
            rabbit.Mandatory = true;
        }
    }

    /// <summary>
    /// The arguments <paramref name="name"/> is declared with, by MassTransit's endpoints and by
    /// the consumer of <c>smpp-send-sms</c> on RabbitMQ.Client (Sending/SendSmsQueueConsumer) alike: none for a classic queue.
    /// </summary>
    public static Dictionary<string, object?>? Arguments(string name, RabbitMqOptions options) =>
        options.QueueType != RabbitMqQueueType.Quorum ? null : new Dictionary<string, object?>
        {
            [QueueTypeArgument] = "quorum",
            [DeliveryLimitArgument] = options.DeliveryLimit,
            [DeadLetterExchangeArgument] = ErrorQueueName(name),
            [DeadLetterStrategyArgument] = "at-least-once",
            [OverflowArgument] = "reject-publish",
        };

    /// <summary>The arguments of an <c>_error</c> or <c>_skipped</c> queue: a quorum queue that dead-letters nothing; none for classic.</summary>
    public static Dictionary<string, object?>? EndOfLineArguments(RabbitMqOptions options) =>
        options.QueueType != RabbitMqQueueType.Quorum ? null : new Dictionary<string, object?> { [QueueTypeArgument] = "quorum" };

    private const string QueueTypeArgument = "x-queue-type";

    private static void ConfigureQueue(IRabbitMqQueueConfigurator queue, string name, RabbitMqOptions options)
    {
        if (Arguments(name, options) is not { } arguments)
        {
            return;
        }
        queue.SetQuorumQueue();
        foreach (var (key, value) in arguments.Where(a => a.Key != QueueTypeArgument))
        {
            queue.SetQueueArgument(key, value);
        }
    }

    private static void ConfigureEndOfLine(IRabbitMqQueueConfigurator queue)
    {
        foreach (var argument in new[] { DeliveryLimitArgument, DeadLetterExchangeArgument, DeadLetterStrategyArgument, OverflowArgument, "x-dead-letter-routing-key" })
        {
            queue.SetQueueArgument(argument, null!);
        }
        queue.SetQuorumQueue();
    }
}
