using System.Net.Sockets;
using System.Threading.Channels;
using Instasent.SmppAdapter.Contracts;
using MassTransit;

namespace Instasent.SmppAdapter.Cli;

/// <summary>The broker could not be reached (or would not let us in) within the bound; the message names the URI, never the password.</summary>
internal sealed class BrokerUnreachableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A MassTransit bus for one CLI run: sends <see cref="SendSms"/> to the command queue and, when asked, receives the
/// adapter's events on a temporary, auto-deleted queue bound to their exchanges. The subscription is ready (queue
/// declared and bound) when <see cref="ConnectAsync"/> returns, so nothing published after that is missed.
/// </summary>
/// <remarks>
/// MassTransit retries a broker connection forever; a CLI must not hang, so connecting is bounded: a TCP probe first
/// (a refused or unresolvable host fails at once), then bus start-up with a deadline (covers refused credentials and
/// a broker that accepts TCP but never speaks AMQP). Each send is bounded the same way.
/// </remarks>
internal sealed class BusConnection : IAsyncDisposable
{
    static readonly Uri SendSmsQueue = new($"queue:{ContractNames.SendSmsQueue}");
    static readonly TimeSpan StopBound = TimeSpan.FromSeconds(5);

    // A bus that never connected has nothing to drain; don't let stopping it stretch the promised bound.
    static readonly TimeSpan AbandonBound = TimeSpan.FromSeconds(1);

    readonly IBusControl _bus;
    readonly BrokerAddress _broker;
    readonly TimeSpan _bound;
    readonly Channel<BusEvent> _events;

    BusConnection(IBusControl bus, BrokerAddress broker, TimeSpan bound, Channel<BusEvent> events)
    {
        _bus = bus;
        _broker = broker;
        _bound = bound;
        _events = events;
    }

    /// <summary>The subscribed events, in arrival order.</summary>
    public ChannelReader<BusEvent> Events => _events.Reader;

    /// <summary>Connects, subscribing to <paramref name="subscribe"/> first; throws <see cref="BrokerUnreachableException"/> past <paramref name="bound"/>.</summary>
    public static async Task<BusConnection> ConnectAsync(BrokerAddress broker, EventKinds subscribe, TimeSpan bound, CancellationToken cancellationToken)
    {
        await ProbeAsync(broker, bound, cancellationToken).ConfigureAwait(false);

        var events = Channel.CreateUnbounded<BusEvent>(new UnboundedChannelOptions { SingleReader = true });
        var bus = Bus.Factory.CreateUsingRabbitMq(cfg =>
        {
            cfg.Host(broker.Host, (ushort)broker.Port, broker.VirtualHost, "smpp-adapter-cli", h =>
            {
                h.Username(broker.User);
                h.Password(broker.Password);
                h.RequestedConnectionTimeout(bound);
                if (broker.UseTls)
                {
                    h.UseSsl(_ => { });
                }
            });

            if (subscribe == EventKinds.None)
            {
                return;
            }

            // A temporary endpoint: server-named, non-durable, auto-deleted queue. The consume topology binds it to the
            // exchange of each handled type, which the contracts pin with [EntityName] (smpp.sms-submitted, ...).
            cfg.ReceiveEndpoint(new TemporaryEndpointDefinition(), e =>
            {
                // One at a time, so events reach the channel in queue order (an outcome before the receipts after it).
                e.ConcurrentMessageLimit = 1;
                if (subscribe.HasFlag(EventKinds.Submitted))
                {
                    Forward<SmsSubmitted>(e, events);
                }

                if (subscribe.HasFlag(EventKinds.Rejected))
                {
                    Forward<SmsRejected>(e, events);
                }

                if (subscribe.HasFlag(EventKinds.Delivery))
                {
                    Forward<SmsDeliveryReported>(e, events);
                }

                if (subscribe.HasFlag(EventKinds.Inbound))
                {
                    Forward<InboundSmsReceived>(e, events);
                }

                if (subscribe.HasFlag(EventKinds.Session))
                {
                    Forward<SmppSessionBound>(e, events);
                    Forward<SmppSessionBindFailed>(e, events);
                    Forward<SmppSessionUnbound>(e, events);
                }
            });
        });

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(bound);
        try
        {
            var handle = await bus.StartAsync(deadline.Token).ConfigureAwait(false);
            await handle.Ready.WaitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            await StopAsync(bus, AbandonBound).ConfigureAwait(false);
            throw new BrokerUnreachableException(
                $"RabbitMQ at {broker} did not accept a connection within {bound.TotalSeconds:0.#} s ({Describe(ex)}); " +
                "check the URI, the credentials and the virtual host (--rabbitmq or RabbitMq__Uri).", ex);
        }
        catch
        {
            await StopAsync(bus, AbandonBound).ConfigureAwait(false);
            throw;
        }

        return new BusConnection(bus, broker, bound, events);
    }

    /// <summary>Sends one command to the <c>smpp-send-sms</c> queue and waits for the broker's confirm.</summary>
    public async Task SendAsync(SendSms command, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_bound);
        try
        {
            var endpoint = await _bus.GetSendEndpoint(SendSmsQueue).ConfigureAwait(false);
            await endpoint.Send(command, deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new BrokerUnreachableException(
                $"RabbitMQ at {_broker} did not confirm a send within {_bound.TotalSeconds:0.#} s.", ex);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await StopAsync(_bus, StopBound).ConfigureAwait(false);
    }

    static void Forward<T>(IReceiveEndpointConfigurator endpoint, Channel<BusEvent> events)
        where T : class =>
        endpoint.Handler<T>(context => events.Writer.WriteAsync(BusEvent.Of(context.Message), context.CancellationToken).AsTask());

    static async Task ProbeAsync(BrokerAddress broker, TimeSpan bound, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(bound);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(broker.Host, broker.Port, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw new BrokerUnreachableException(
                $"Cannot reach RabbitMQ at {broker} ({Describe(ex)}); is the broker running? Set --rabbitmq or RabbitMq__Uri.", ex);
        }
    }

    static string Describe(Exception ex) => ex switch
    {
        SocketException s => s.SocketErrorCode.ToString(),
        OperationCanceledException => "timed out",
        _ => ex.GetBaseException().Message,
    };

    static async Task StopAsync(IBusControl bus, TimeSpan bound)
    {
        using var deadline = new CancellationTokenSource(bound);
        try
        {
            await bus.StopAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Stopping is best effort: the process is about to exit and the temporary queue is auto-deleted anyway.
        }
    }
}
