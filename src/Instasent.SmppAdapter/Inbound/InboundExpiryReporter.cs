using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Stores;
using Instasent.SmppAdapter.Telemetry;
using Microsoft.Extensions.Hosting;

namespace Instasent.SmppAdapter.Inbound;

/// <summary>
/// Reports long inbound messages whose parts did not all arrive within <see cref="SendingOptions.InboundPartExpiry"/>:
/// a warning and <c>smpp.adapter.inbound.expired</c>, once per message whichever replica takes it (the store hands each
/// to one caller). Looks every <see cref="Interval"/>.
/// </summary>
public sealed class InboundExpiryReporter(IInboundPartStore store, SendingOptions options, TimeProvider time, ILogger<InboundExpiryReporter> logger)
    : BackgroundService
{
    private const int Batch = 100;

    /// <summary>A tenth of the expiry, between a second and a minute: a report comes at most that late.</summary>
    public TimeSpan Interval { get; } = TimeSpan.FromTicks(Math.Clamp(options.InboundPartExpiry.Ticks / 10, TimeSpan.TicksPerSecond, TimeSpan.TicksPerMinute));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                await ReportAsync(stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Takes and reports what has expired, a batch at a time; returns how many.</summary>
    public async Task<int> ReportAsync(CancellationToken cancellationToken)
    {
        var reported = 0;
        try
        {
            // Bounded: at most a few batches per tick; the rest waits for the next.
            for (var round = 0; round < 10; round++)
            {
                var expired = await store.TakeExpiredAsync(Batch, cancellationToken).ConfigureAwait(false);
                foreach (var message in expired)
                {
                    AdapterTelemetry.InboundExpired.Add(1, AdapterTelemetry.Connection(message.Connection), new("completed", message.Completed));
                    logger.LogWarning(message.Completed
                            ? "Long inbound message {MessageKey} on {Connection} had all {Received} of {Total} parts but was never published within {Expiry}; dropped (see the error queue of smpp-inbound-parts)"
                            : "Long inbound message {MessageKey} on {Connection} expired with {Received} of {Total} parts after {Expiry}; dropped",
                        message.MessageKey, message.Connection, message.ReceivedParts, message.Total, options.InboundPartExpiry);
                }
                reported += expired.Count;
                if (expired.Count < Batch)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The store is unreachable: the next tick tries again; nothing expired is lost meanwhile (it stays indexed).
            logger.LogWarning("Could not look for expired inbound parts: {Error}", e.Message);
        }
        return reported;
    }
}
