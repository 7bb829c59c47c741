using System.Diagnostics;
using MassTransit.Logging;
using OpenTelemetry;

namespace Instasent.SmppAdapter.Telemetry;

/// <summary>
/// Completes MassTransit's broker spans with the OpenTelemetry messaging attributes it leaves out: messaging.system
/// (the address scheme, else rabbitmq), messaging.destination.name (the queue or exchange) and
/// messaging.operation.type (send, receive, process), read from the addresses and the span name MassTransit sets
/// (<c>"{destination} {operation}"</c>). Attributes MassTransit did set are left as they are.
/// </summary>
internal sealed class MessagingSpanConventions : BaseProcessor<Activity>
{
    public override void OnEnd(Activity data)
    {
        if (data.Source.Name != DiagnosticHeaders.DefaultListenerName || data.Kind is not (ActivityKind.Consumer or ActivityKind.Producer))
        {
            return;
        }

        var address = (data.Kind == ActivityKind.Consumer ? data.GetTagItem("messaging.masstransit.input_address") : data.GetTagItem("messaging.masstransit.destination_address"))
            ?? data.GetTagItem("messaging.masstransit.destination_address") ?? data.GetTagItem("messaging.masstransit.input_address");
        var uri = address as Uri ?? (Uri.TryCreate(address as string, UriKind.Absolute, out var parsed) ? parsed : null);
        var space = data.DisplayName.LastIndexOf(' ');
        if (data.GetTagItem("messaging.system") is null)
        {
            // MassTransit's process spans carry no address; the adapter's only transport is RabbitMQ.
            data.SetTag("messaging.system", uri?.Scheme ?? "rabbitmq");
        }
        if (data.GetTagItem("messaging.destination.name") is null)
        {
            var name = uri?.AbsolutePath.Split('/')[^1] is { Length: > 0 } last ? last : space > 0 ? data.DisplayName[..space] : null;
            data.SetTag("messaging.destination.name", name);
        }
        if (data.GetTagItem("messaging.operation.type") is null && space > 0)
        {
            data.SetTag("messaging.operation.type", data.DisplayName[(space + 1)..] switch
            {
                "publish" => "send",
                var operation => operation,
            });
        }
    }
}
