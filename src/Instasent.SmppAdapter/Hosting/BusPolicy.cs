using MassTransit.Middleware;
using MassTransit.Serialization;

namespace Instasent.SmppAdapter.Hosting;

/// <summary>What every adapter endpoint shares: its retry policy and how it reads a message.</summary>
public static class BusPolicy
{
    /// <summary>
    /// A broker hiccup while publishing an outcome or forwarding a command is retried in place, briefly. A submit is
    /// never retried here: every way a submit can fail ends in an outcome or a hand-back inside the consumer.
    /// </summary>
    public static void Retry(IRetryConfigurator retry) => retry.Intervals([.. RetryIntervals]);

    /// <summary>
    /// The waits between the tries of <see cref="Retry"/>: three retries within 2.6 s. The RabbitMQ.Client command
    /// consumer (<c>RabbitMq:Consumer</c>) retries on the same schedule.
    /// </summary>
    public static IReadOnlyList<TimeSpan> RetryIntervals { get; } = [TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(2)];

    /// <summary>
    /// What happens to a message whose consumer still failed after <see cref="Retry"/>: one that failed because a publish
    /// ran past its deadline (<c>Adapter:PublishTimeout</c>: the broker blocks publishers, e.g. a memory alarm) is
    /// returned to its queue (nack, requeue) to be delivered again once the broker takes publishes, instead of being
    /// parked in the <c>_error</c> queue, whose own publish the broker would hold too. Anything else goes to
    /// <c>_error</c> as MassTransit does by default.
    /// </summary>
    public static void RequeueWhenPublishesTimeOut(IReceiveEndpointConfigurator endpoint) =>
        endpoint.ConfigureError(error =>
        {
            error.UseFilter(new RequeueOnPublishDeadline());
            error.UseFilter(new GenerateFaultFilter());
            error.UseFilter(new ErrorTransportFilter());
        });

    /// <summary>
    /// Plain JSON (content type <c>application/json</c> or none) is read by the raw JSON deserializer, made the
    /// endpoint's default so a message without a content type lands there; MassTransit's envelope keeps its own content
    /// type (<c>application/vnd.masstransit+json</c>). Events are still published in the envelope.
    /// </summary>
    public static void AcceptPlainJson(IReceiveEndpointConfigurator endpoint) =>
        endpoint.UseRawJsonDeserializer(RawSerializerOptions.AnyMessageType, isDefault: true);

    /// <summary>
    /// Writes every envelope without indentation (MassTransit indents by default): the events' envelopes shrink by about
    /// a third, which the broker copies between its processes and every subscriber reads. Once per process, before the
    /// first message: the options freeze on first use.
    /// </summary>
    public static void WriteCompactJson()
    {
        var options = SystemTextJsonMessageSerializer.Options;
        lock (options)
        {
            if (options.WriteIndented)
            {
                options.WriteIndented = false;
            }
        }
    }

    /// <summary>
    /// Adds <paramref name="converter"/> to the JSON options MassTransit reads every message with (envelope and plain),
    /// once per process. Must run before the first message is read: the options freeze on first use.
    /// </summary>
    public static void AddJsonConverter<T>(T converter) where T : System.Text.Json.Serialization.JsonConverter
    {
        var options = SystemTextJsonMessageSerializer.Options;
        lock (options)
        {
            if (!options.Converters.Any(c => c is T))
            {
                options.Converters.Add(converter);
            }
        }
    }

    /// <summary>
    /// A publish cancelled by its deadline while the consume itself was not cancelled (not a shutdown): rethrown, which
    /// MassTransit's RabbitMQ transport answers with a nack that requeues the message.
    /// </summary>
    private sealed class RequeueOnPublishDeadline : IFilter<ExceptionReceiveContext>
    {
        public async Task Send(ExceptionReceiveContext context, IPipe<ExceptionReceiveContext> next)
        {
            if (context.Exception is OperationCanceledException && !context.CancellationToken.IsCancellationRequested)
            {
                if (!context.IsFaulted)
                {
                    await context.NotifyFaulted(context.Exception).ConfigureAwait(false);
                }
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(context.Exception);
            }
            await next.Send(context).ConfigureAwait(false);
        }

        public void Probe(ProbeContext context) => context.CreateFilterScope("requeue-on-publish-deadline");
    }
}
