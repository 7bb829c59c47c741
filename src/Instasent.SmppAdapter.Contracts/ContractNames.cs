namespace Instasent.SmppAdapter.Contracts;

/// <summary>
/// The broker names of the public contract: the command queue and the fanout exchange of every event.
/// These are stable: upstream services bind to them by name, whatever the C# namespaces are.
/// </summary>
public static class ContractNames
{
    /// <summary>The queue the adapter consumes <see cref="SendSms"/> commands from.</summary>
    public const string SendSmsQueue = SendSms.QueueName;

    /// <summary>
    /// The exchange MassTransit's <c>Publish</c> of a <see cref="SendSms"/> goes to. It is bound to
    /// <see cref="SendSmsQueue"/> alone, so a published command reaches the adapter exactly once.
    /// </summary>
    public const string SendSmsExchange = "smpp.send-sms";

    /// <summary>Fanout exchange of <see cref="Contracts.SmsSubmitted"/>.</summary>
    public const string SmsSubmitted = "smpp.sms-submitted";

    /// <summary>Fanout exchange of <see cref="Contracts.SmsRejected"/>.</summary>
    public const string SmsRejected = "smpp.sms-rejected";

    /// <summary>Fanout exchange of <see cref="Contracts.SmsDeliveryReported"/>.</summary>
    public const string SmsDeliveryReported = "smpp.sms-delivery-reported";

    /// <summary>Fanout exchange of <see cref="Contracts.InboundSmsReceived"/>.</summary>
    public const string InboundSmsReceived = "smpp.inbound-sms-received";

    /// <summary>Fanout exchange of <see cref="Contracts.SmppSessionBound"/>.</summary>
    public const string SmppSessionBound = "smpp.session-bound";

    /// <summary>Fanout exchange of <see cref="Contracts.SmppSessionBindFailed"/>.</summary>
    public const string SmppSessionBindFailed = "smpp.session-bind-failed";

    /// <summary>Fanout exchange of <see cref="Contracts.SmppSessionUnbound"/>.</summary>
    public const string SmppSessionUnbound = "smpp.session-unbound";

    /// <summary>Every event exchange, in the order the table of the design lists them.</summary>
    public static IReadOnlyList<string> EventExchanges { get; } =
    [
        SmsSubmitted,
        SmsRejected,
        SmsDeliveryReported,
        InboundSmsReceived,
        SmppSessionBound,
        SmppSessionBindFailed,
        SmppSessionUnbound,
    ];
}
