using System.Collections.Concurrent;
using System.Text;
using Instasent.Smpp.Client;
using Instasent.Smpp.Pdus;

namespace Instasent.Smpp.Tests.Client;

internal static class ClientTestSupport
{
    public static readonly TimeSpan Wait = ScriptedSmsc.Wait;

    public static async Task<(SmppSession Session, SmscConnection Smsc)> ConnectAsync(
        ScriptedSmsc smsc, SmppSessionOptions? options = null, ISmppInboundHandler? handler = null, TimeProvider? time = null)
    {
        var session = await SmppSession.ConnectAsync(options ?? smsc.Options(), handler, time).WaitAsync(Wait);
        var connection = await smsc.AcceptAsync();
        await connection.WaitForAsync<BindRequest>();
        return (session, connection);
    }

    public static SubmitSm Submit(string text = "hello") => new()
    {
        SourceAddrTon = Ton.Alphanumeric,
        SourceAddr = "Instasent",
        DestAddrTon = Ton.International,
        DestAddrNpi = Npi.Isdn,
        DestinationAddr = "+34676388300",
        RegisteredDelivery = RegisteredDelivery.SmscReceiptOnSuccessOrFailure,
        ShortMessage = Encoding.ASCII.GetBytes(text),
    };

    public static DeliverSm Receipt(string messageId) => new()
    {
        SourceAddrTon = Ton.International,
        SourceAddr = "34676388300",
        DestinationAddr = "Instasent",
        EsmClass = EsmClass.SmscDeliveryReceipt,
        ShortMessage = Encoding.ASCII.GetBytes($"id:{messageId} sub:001 dlvrd:001 submit date:2501011200 done date:2501011201 stat:DELIVRD err:000 text:"),
    };

    public static DeliverSm MobileOriginated(string text) => new()
    {
        SourceAddrTon = Ton.International,
        SourceAddr = "34676388300",
        DestinationAddr = "Instasent",
        ShortMessage = Encoding.ASCII.GetBytes(text),
    };

    /// <summary>Records every state change of a session.</summary>
    public static ConcurrentQueue<SmppSessionStateChange> Record(SmppSession session)
    {
        var changes = new ConcurrentQueue<SmppSessionStateChange>();
        session.StateChanged += (_, change) => changes.Enqueue(change);
        return changes;
    }

    public static async Task<SmppSessionStateChange> ClosedAsync(SmppSession session, ConcurrentQueue<SmppSessionStateChange> changes)
    {
        await session.Completion.WaitAsync(Wait);
        var closed = changes.Last();
        Assert.Equal(SmppSessionState.Closed, closed.State);
        return closed;
    }
}

/// <summary>An inbound handler the test scripts with a delegate.</summary>
internal sealed class DelegateHandler(Func<Pdu, CancellationToken, ValueTask<Pdu?>> handle) : ISmppInboundHandler
{
    public ValueTask<Pdu?> HandleAsync(SmppSession session, Pdu request, CancellationToken cancellationToken) => handle(request, cancellationToken);
}
