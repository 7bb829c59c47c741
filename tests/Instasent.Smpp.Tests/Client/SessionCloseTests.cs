using Instasent.Smpp.Client;
using Instasent.Smpp.Pdus;
using static Instasent.Smpp.Tests.Client.ClientTestSupport;

namespace Instasent.Smpp.Tests.Client;

public class SessionCloseTests
{
    [Fact]
    public async Task Close_unbinds_on_smpp_3_4_and_closes_with_LocalClose()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc);
        var changes = Record(session);

        await session.CloseAsync().WaitAsync(Wait);

        await connection.WaitForAsync<Unbind>();
        await connection.Closed.WaitAsync(Wait);
        Assert.Equal(SmppCloseReason.LocalClose, (await ClosedAsync(session, changes)).Reason);
        Assert.True(session.Completion.IsCompletedSuccessfully);
    }

    [Fact]
    public async Task Close_while_busy_waits_for_outstanding_requests_then_unbinds_and_fails_the_waiting_ones_as_never_sent()
    {
        await using var smsc = ScriptedSmsc.Start();
        smsc.AnswerUnbind = false;
        var (session, connection) = await ConnectAsync(smsc, smsc.Options() with { WindowSize = 3 });
        var submits = Enumerable.Range(0, 5).Select(_ => session.SubmitAsync(Submit()).AsTask()).ToArray();
        var sent = new List<SubmitSm>();
        for (var i = 0; i < 3; i++)
        {
            sent.Add(await connection.ReceiveAsync<SubmitSm>());
        }

        var close = session.CloseAsync();

        foreach (var waiting in submits[3..])
        {
            var closed = await Assert.ThrowsAsync<SmppSessionClosedException>(() => waiting.WaitAsync(Wait));
            Assert.False(closed.WasSent);
        }
        Assert.Equal(SmppSessionState.Unbinding, session.State);
        Assert.Empty(await connection.SentBeforeEnquireLinkRespAsync());
        foreach (var submit in sent)
        {
            await connection.AnswerAsync(submit);
        }

        await Task.WhenAll(submits[..3]).WaitAsync(Wait);
        var unbind = await connection.ReceiveAsync<Unbind>();
        await connection.AnswerAsync(unbind);

        await close.WaitAsync(Wait);
        Assert.Equal(SmppSessionState.Closed, session.State);
        await Assert.ThrowsAsync<SmppSessionClosedException>(() => session.SubmitAsync(Submit()).AsTask());
    }

    [Fact]
    public async Task Close_finishes_when_the_smsc_ignores_the_requests_and_the_unbind()
    {
        await using var smsc = ScriptedSmsc.Start();
        smsc.AnswerUnbind = false;
        var options = smsc.Options() with { UnbindTimeout = TimeSpan.FromMilliseconds(300) };
        var (session, connection) = await ConnectAsync(smsc, options);
        var submit = session.SubmitAsync(Submit()).AsTask();
        await connection.ReceiveAsync<SubmitSm>();

        await session.CloseAsync().WaitAsync(Wait);

        await connection.ReceiveAsync<Unbind>();
        var closed = await Assert.ThrowsAsync<SmppSessionClosedException>(() => submit.WaitAsync(Wait));
        Assert.True(closed.WasSent);
        Assert.Equal(SmppCloseReason.LocalClose, closed.Reason);
    }

    [Fact]
    public async Task Unbind_from_the_smsc_is_answered_and_closes_with_RemoteUnbind()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc);
        var changes = Record(session);
        var submit = session.SubmitAsync(Submit()).AsTask();
        await connection.ReceiveAsync<SubmitSm>();

        await connection.SendAsync(new Unbind { SequenceNumber = 77 });

        Assert.Equal(77u, (await connection.ReceiveAsync<UnbindResp>()).SequenceNumber);
        var closed = await ClosedAsync(session, changes);
        Assert.Equal(SmppCloseReason.RemoteUnbind, closed.Reason);
        Assert.Contains(changes, c => c.State == SmppSessionState.Unbinding);
        var failed = await Assert.ThrowsAsync<SmppSessionClosedException>(() => submit.WaitAsync(Wait));
        Assert.True(failed.WasSent);
        Assert.Equal(SmppCloseReason.RemoteUnbind, failed.Reason);
        await connection.Closed.WaitAsync(Wait);
    }

    [Fact]
    public async Task A_dropped_connection_fails_every_outstanding_request_at_once_saying_which_were_sent()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc, smsc.Options() with { WindowSize = 3 });
        var changes = Record(session);
        var submits = Enumerable.Range(0, 5).Select(_ => session.SubmitAsync(Submit()).AsTask()).ToArray();
        for (var i = 0; i < 3; i++)
        {
            await connection.ReceiveAsync<SubmitSm>();
        }

        connection.Drop();

        var failures = new List<SmppSessionClosedException>();
        foreach (var submit in submits)
        {
            failures.Add(await Assert.ThrowsAsync<SmppSessionClosedException>(() => submit.WaitAsync(Wait)));
        }

        Assert.Equal([true, true, true, false, false], failures.Select(f => f.WasSent));
        Assert.All(failures, f => Assert.Equal(SmppCloseReason.NetworkError, f.Reason));
        Assert.Equal(SmppCloseReason.NetworkError, (await ClosedAsync(session, changes)).Reason);
        Assert.Equal(0, session.WindowInUse);
        await session.DisposeAsync().AsTask().WaitAsync(Wait);
    }

    [Fact]
    public async Task Concurrent_closes_unbind_once_and_both_wait_for_it()
    {
        await using var smsc = ScriptedSmsc.Start();
        smsc.AnswerUnbind = false;
        var (session, connection) = await ConnectAsync(smsc);
        var changes = Record(session);

        var first = session.CloseAsync();
        var second = session.CloseAsync();
        var unbind = await connection.ReceiveAsync<Unbind>();
        Assert.False(second.IsCompleted);
        await connection.AnswerAsync(unbind);
        await Task.WhenAll(first, second).WaitAsync(Wait);
        await session.DisposeAsync().AsTask().WaitAsync(Wait);

        Assert.Single(connection.All.OfType<Unbind>());
        Assert.Equal(SmppCloseReason.LocalClose, (await ClosedAsync(session, changes)).Reason);
    }
}
