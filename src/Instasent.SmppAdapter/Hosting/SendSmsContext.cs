namespace Instasent.SmppAdapter.Hosting;

/// <summary>
/// What an event answers: the message consumed, whose conversation the event continues and whose queue it names as its
/// source. Null where the SMSC started it (receipts, session events).
/// </summary>
/// <param name="ConversationId">The conversation the consumed message belongs to (MassTransit's envelope), if it said.</param>
/// <param name="InputAddress">The queue it was consumed from.</param>
/// <param name="MassTransit">MassTransit's context when MassTransit consumed it (its own publish needs it); null when
/// the adapter's own consumer of <c>smpp-send-sms</c> did (Sending/SendSmsQueueConsumer).</param>
public sealed record ConsumedMessage(Guid? ConversationId, Uri? InputAddress, ConsumeContext? MassTransit)
{
    public static ConsumedMessage Of(ConsumeContext context) => new(context.ConversationId, context.ReceiveContext.InputAddress, context);
}

/// <summary>
/// A <see cref="SendSms"/> being consumed, whoever consumes it: MassTransit's endpoint of a connection's queue (or of
/// <c>smpp-send-sms</c> with <c>RabbitMq:Consumer=MassTransit</c>), or the adapter's own consumer of <c>smpp-send-sms</c> on
/// RabbitMQ.Client (Sending/SendSmsQueueConsumer).
/// The router, the consumer and the outcome publisher read only this, so either can deliver a command to them.
/// </summary>
public sealed class SendSmsContext
{
    /// <summary>
    /// How many times a command was handed back for want of a final outcome (retry budget spent, outcome unknown too
    /// often); hand-backs on shutdown do not count. Bounded by <c>Adapter:MaxHandBacks</c>. Internal, not part of the
    /// public contract. A hand-back writes it as a transport header (and MassTransit's send in its envelope too).
    /// </summary>
    public const string HandBackCountHeader = "smpp-handback-count";

    private readonly ConsumeContext? _massTransit;
    private readonly ReadOnlyMemory<byte> _body;

    public SendSmsContext(SendSms message, ConsumedMessage consumed, string? contentType, ReadOnlyMemory<byte> body, int handBackCount,
        CancellationToken cancellationToken)
    {
        Message = message;
        Consumed = consumed;
        ContentType = contentType;
        _body = body;
        HandBackCount = handBackCount;
        CancellationToken = cancellationToken;
    }

    private SendSmsContext(ConsumeContext<SendSms> context)
    {
        _massTransit = context;
        Message = context.Message;
        Consumed = ConsumedMessage.Of(context);
        ContentType = context.ReceiveContext.ContentType?.ToString();
        HandBackCount = context.ReceiveContext.TransportHeaders.Get<int>(HandBackCountHeader) ?? context.Headers.Get<int>(HandBackCountHeader) ?? 0;
        CancellationToken = context.CancellationToken;
    }

    public static SendSmsContext Of(ConsumeContext<SendSms> context) => new(context);

    public SendSms Message { get; }

    public ConsumedMessage Consumed { get; }

    /// <summary>The content type it arrived with (plain JSON, MassTransit's envelope, or none).</summary>
    public string? ContentType { get; }

    /// <summary>The bytes it arrived as: a forward or a hand-back sends them on unchanged.</summary>
    public ReadOnlyMemory<byte> Body => _massTransit is { } context ? context.ReceiveContext.Body.GetBytes() : _body;

    /// <summary>How many times it was handed back for want of a final outcome (<see cref="HandBackCountHeader"/>).</summary>
    public int HandBackCount { get; }

    /// <summary>Fires when its consumer is stopping and can no longer wait for it.</summary>
    public CancellationToken CancellationToken { get; }
}
