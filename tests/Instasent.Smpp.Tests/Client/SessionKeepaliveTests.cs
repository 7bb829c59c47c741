using Instasent.Smpp.Client;
using Instasent.Smpp.Pdus;
using Microsoft.Extensions.Time.Testing;
using static Instasent.Smpp.Tests.Client.ClientTestSupport;

namespace Instasent.Smpp.Tests.Client;

public class SessionKeepaliveTests
{
    private static SmppSessionOptions KeepaliveOptions(ScriptedSmsc smsc) => smsc.Options() with
    {
        EnquireLinkInterval = TimeSpan.FromSeconds(30),
        ResponseTimeout = TimeSpan.FromSeconds(10),
    };

    [Fact]
    public async Task Enquire_link_is_sent_once_the_link_has_been_idle_for_the_interval()
    {
        await using var smsc = ScriptedSmsc.Start();
        var time = new FakeTimeProvider();
        var (session, connection) = await ConnectAsync(smsc, KeepaliveOptions(smsc), time: time);
        await using var _ = session;

        time.Advance(TimeSpan.FromSeconds(29));
        Assert.DoesNotContain(connection.All, p => p is EnquireLink);
        time.Advance(TimeSpan.FromSeconds(1));

        await connection.WaitForAsync<EnquireLink>();
        Assert.Equal(SmppSessionState.Bound, session.State);
    }

    [Fact]
    public async Task Traffic_postpones_the_enquire_link()
    {
        await using var smsc = ScriptedSmsc.Start();
        smsc.SubmitResponder = s => s.CreateResponse();
        var time = new FakeTimeProvider();
        var (session, connection) = await ConnectAsync(smsc, KeepaliveOptions(smsc), time: time);
        await using var _ = session;

        time.Advance(TimeSpan.FromSeconds(20));
        await session.SubmitAsync(Submit()).AsTask().WaitAsync(Wait);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(connection.All, p => p is EnquireLink);
        time.Advance(TimeSpan.FromSeconds(20));

        await connection.WaitForAsync<EnquireLink>();
    }

    [Fact]
    public async Task A_missing_enquire_link_resp_marks_the_link_dead()
    {
        await using var smsc = ScriptedSmsc.Start();
        smsc.AnswerEnquireLink = false;
        var time = new FakeTimeProvider();
        var (session, connection) = await ConnectAsync(smsc, KeepaliveOptions(smsc), time: time);
        await using var _ = session;
        var changes = Record(session);

        time.Advance(TimeSpan.FromSeconds(30));
        await connection.ReceiveAsync<EnquireLink>();
        time.Advance(TimeSpan.FromSeconds(10));

        var closed = await ClosedAsync(session, changes);
        Assert.Equal(SmppCloseReason.LinkDead, closed.Reason);
        Assert.Contains("no enquire_link_resp", closed.Detail);
        await connection.Closed.WaitAsync(Wait);
    }

    [Fact]
    public async Task The_smsc_enquire_link_is_answered_at_once_even_while_the_handler_is_busy()
    {
        await using var smsc = ScriptedSmsc.Start();
        var release = new TaskCompletionSource<Pdu?>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler((_, _) => new ValueTask<Pdu?>(release.Task));
        var (session, connection) = await ConnectAsync(smsc, handler: handler);
        await using var _ = session;

        await connection.SendAsync(new DeliverSm { SequenceNumber = 1, SourceAddr = "34600000000", DestinationAddr = "Instasent" });
        await connection.SendAsync(new EnquireLink { SequenceNumber = 2 });

        var answer = await connection.ReceiveAsync<EnquireLinkResp>();
        Assert.Equal(2u, answer.SequenceNumber);
        release.SetResult(null);
        Assert.Equal(1u, (await connection.ReceiveAsync<DeliverSmResp>()).SequenceNumber);
    }
}
