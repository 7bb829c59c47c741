using Instasent.SmppAdapter.Contracts;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Instasent.SmppAdapter.IntegrationTests.Docs;

// The C# client of docs/contract.md. The regions between the docs: markers are the snippets shown there, word for word
// (DocsSnippetTests compares them and runs this code against a real broker and adapter).

// <docs:csharp-consumer>
/// <summary>What happened to each SMS: one consumer for the outcome events of the contract.</summary>
public sealed class SmsOutcomes(ILogger<SmsOutcomes> logger)
    : IConsumer<SmsSubmitted>, IConsumer<SmsRejected>, IConsumer<SmsDeliveryReported>
{
    // Events arrive at least once: de-duplicate on the keys in the contract's table before acting on one.
    public Task Consume(ConsumeContext<SmsSubmitted> context)
    {
        logger.LogInformation("{MessageId} submitted as {SmscMessageIds}",
            context.Message.MessageId, string.Join(',', context.Message.SmscMessageIds));
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<SmsRejected> context)
    {
        logger.LogWarning("{MessageId} rejected: {Code} ({Reason})",
            context.Message.MessageId, context.Message.Code, context.Message.Reason);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<SmsDeliveryReported> context)
    {
        logger.LogInformation("{MessageId} segment {Segment} of {Segments}: {Status}",
            context.Message.MessageId, context.Message.Segment, context.Message.Segments, context.Message.Status);
        return Task.CompletedTask;
    }
}
// </docs:csharp-consumer>

public static class SmsClient
{
    // <docs:csharp-registration>
    /// <summary>The bus of a service that sends SMS: its own queue for <see cref="SmsOutcomes"/>, bound to the event exchanges.</summary>
    public static IServiceCollection AddSmsClient(this IServiceCollection services, Uri broker) =>
        services
            // Subscribe before you publish: the service starts only once its queue is bound to the event exchanges, so an
            // outcome published a millisecond after your first command is not missed (events are not kept for a queue
            // that does not exist yet).
            .Configure<MassTransitHostOptions>(host => host.WaitUntilStarted = true)
            .AddMassTransit(bus =>
            {
                bus.AddConsumer<SmsOutcomes>();
                bus.UsingRabbitMq((context, rabbit) =>
                {
                    rabbit.Host(broker);        // e.g. amqp://user:password@rabbitmq:5672/
                    rabbit.ConfigureEndpoints(context);
                });
            });
    // </docs:csharp-registration>

    // <docs:csharp-publish>
    /// <summary>A one-time password: high priority, so it overtakes any campaign queued on the connection.</summary>
    public static Task SendOtpAsync(IPublishEndpoint bus, string orderId, string phoneNumber, string code,
        CancellationToken cancellationToken) =>
        bus.Publish(new SendSms
        {
            MessageId = $"otp-{orderId}",       // your idempotency key: publish it again and nothing is sent twice
            From = "Instasent",
            To = phoneNumber,                   // E.164
            Text = $"Your code is {code}",
            Priority = SmsPriorities.High,
            Metadata = new Dictionary<string, string> { ["order"] = orderId },
        }, cancellationToken);
    // </docs:csharp-publish>

    // <docs:csharp-send>
    /// <summary>The same command sent to the adapter's queue instead of published: both reach it exactly once.</summary>
    public static async Task SendToQueueAsync(ISendEndpointProvider bus, SendSms command, CancellationToken cancellationToken)
    {
        var endpoint = await bus.GetSendEndpoint(new Uri($"queue:{ContractNames.SendSmsQueue}"));
        await endpoint.Send(command, cancellationToken);
    }
    // </docs:csharp-send>
}
