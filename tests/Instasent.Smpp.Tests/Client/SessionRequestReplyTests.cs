using Instasent.Smpp.Client;
using Instasent.Smpp.Pdus;
using Microsoft.Extensions.Time.Testing;
using static Instasent.Smpp.Tests.Client.ClientTestSupport;

namespace Instasent.Smpp.Tests.Client;

public class SessionRequestReplyTests
{
    [Fact]
    public async Task Responses_are_matched_to_requests_by_sequence_number_whatever_their_order()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc);
        await using var _ = session;

        var submits = Enumerable.Range(0, 3).Select(i => session.SubmitAsync(Submit($"m{i}")).AsTask()).ToArray();
        var received = new List<SubmitSm>();
        for (var i = 0; i < 3; i++)
        {
            received.Add(await connection.ReceiveAsync<SubmitSm>());
        }

        for (var i = 2; i >= 0; i--)
        {
            await connection.AnswerAsync(received[i], messageId: $"id-{received[i].SequenceNumber}");
        }

        var responses = await Task.WhenAll(submits).WaitAsync(Wait);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal($"id-{received[i].SequenceNumber}", responses[i].MessageId);
        }

        Assert.Equal(3, received.Select(s => s.SequenceNumber).Distinct().Count());
        Assert.Equal(0, session.WindowInUse);
    }

    [Fact]
    public async Task A_response_with_an_error_status_is_returned_not_thrown()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc);
        await using var _ = session;

        var submit = session.SubmitAsync(Submit()).AsTask();
        await connection.AnswerAsync(await connection.ReceiveAsync<SubmitSm>(), CommandStatus.ESME_RTHROTTLED);

        Assert.Equal(CommandStatus.ESME_RTHROTTLED, (await submit.WaitAsync(Wait)).CommandStatus);
    }

    [Fact]
    public async Task A_full_window_makes_callers_wait_until_responses_free_slots()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc, smsc.Options() with { WindowSize = 2 });
        await using var _ = session;

        var submits = Enumerable.Range(0, 5).Select(i => session.SubmitAsync(Submit($"m{i}")).AsTask()).ToArray();
        var first = await connection.ReceiveAsync<SubmitSm>();
        var second = await connection.ReceiveAsync<SubmitSm>();

        Assert.Empty(await connection.SentBeforeEnquireLinkRespAsync());
        Assert.Equal(2, session.WindowInUse);
        Assert.All(submits, s => Assert.False(s.IsCompleted));

        await connection.AnswerAsync(first);
        var third = await connection.ReceiveAsync<SubmitSm>();
        Assert.Empty(await connection.SentBeforeEnquireLinkRespAsync());
        foreach (var submit in new[] { second, third })
        {
            await connection.AnswerAsync(submit);
        }

        await connection.AnswerAsync(await connection.ReceiveAsync<SubmitSm>());
        await connection.AnswerAsync(await connection.ReceiveAsync<SubmitSm>());

        var responses = await Task.WhenAll(submits).WaitAsync(Wait);
        Assert.All(responses, r => Assert.Equal(CommandStatus.ESME_ROK, r.CommandStatus));
        Assert.Equal(0, session.WindowInUse);
    }

    [Fact]
    public async Task Cancelling_a_caller_waiting_for_the_window_sends_nothing_and_keeps_the_window_intact()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc, smsc.Options() with { WindowSize = 1 });
        await using var _ = session;
        var first = session.SubmitAsync(Submit()).AsTask();
        var sent = await connection.ReceiveAsync<SubmitSm>();
        using var cancel = new CancellationTokenSource();

        var waiting = session.SubmitAsync(Submit(), cancel.Token).AsTask();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(Wait));
        Assert.Empty(await connection.SentBeforeEnquireLinkRespAsync());
        Assert.Equal(1, session.WindowInUse);
        await connection.AnswerAsync(sent);
        await first.WaitAsync(Wait);
        var next = session.SubmitAsync(Submit()).AsTask();
        await connection.AnswerAsync(await connection.ReceiveAsync<SubmitSm>());
        await next.WaitAsync(Wait);
    }

    [Fact]
    public async Task Sequence_numbers_wrap_from_0x7FFFFFFF_to_1()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc);
        await using var _ = session;
        session.LastSequenceNumber = 0x7FFFFFFE;

        var submits = Enumerable.Range(0, 3).Select(_ => session.SubmitAsync(Submit()).AsTask()).ToArray();
        var sequences = new List<uint>();
        for (var i = 0; i < 3; i++)
        {
            var submit = await connection.ReceiveAsync<SubmitSm>();
            sequences.Add(submit.SequenceNumber);
            await connection.AnswerAsync(submit);
        }

        Assert.Equal([0x7FFFFFFFu, 1u, 2u], sequences);
        await Task.WhenAll(submits).WaitAsync(Wait);
    }

    [Fact]
    public async Task A_request_fails_after_its_own_response_timeout_saying_it_was_sent()
    {
        await using var smsc = ScriptedSmsc.Start();
        var time = new FakeTimeProvider();
        var options = smsc.Options() with { ResponseTimeout = TimeSpan.FromSeconds(10), DeadAfterConsecutiveTimeouts = 0 };
        var (session, connection) = await ConnectAsync(smsc, options, time: time);
        await using var _ = session;

        var early = session.SubmitAsync(Submit()).AsTask();
        await connection.ReceiveAsync<SubmitSm>();
        time.Advance(TimeSpan.FromSeconds(4));
        var late = session.SubmitAsync(Submit()).AsTask();
        var lateSent = await connection.ReceiveAsync<SubmitSm>();
        time.Advance(TimeSpan.FromSeconds(6));

        var timeout = await Assert.ThrowsAsync<SmppResponseTimeoutException>(() => early.WaitAsync(Wait));
        Assert.True(timeout.WasSent);
        Assert.Equal(CommandId.SubmitSm, timeout.Command);
        Assert.False(late.IsCompleted);
        Assert.Equal(1, session.WindowInUse);

        await connection.AnswerAsync(lateSent, messageId: "late");
        Assert.Equal("late", (await late.WaitAsync(Wait)).MessageId);
        Assert.Equal(SmppSessionState.Bound, session.State);
    }

    [Fact]
    public async Task A_request_with_a_shorter_timeout_of_its_own_times_out_first_and_the_others_keep_theirs()
    {
        await using var smsc = ScriptedSmsc.Start();
        var time = new FakeTimeProvider();
        var options = smsc.Options() with { ResponseTimeout = TimeSpan.FromSeconds(10), DeadAfterConsecutiveTimeouts = 0 };
        var (session, connection) = await ConnectAsync(smsc, options, time: time);
        await using var _ = session;

        var usual = session.SubmitAsync(Submit()).AsTask();
        var usualSent = await connection.ReceiveAsync<SubmitSm>();
        var hurried = session.SubmitAsync(Submit(), TimeSpan.FromSeconds(2)).AsTask();
        await connection.ReceiveAsync<SubmitSm>();
        time.Advance(TimeSpan.FromSeconds(2));

        var timeout = await Assert.ThrowsAsync<SmppResponseTimeoutException>(() => hurried.WaitAsync(Wait));
        Assert.Equal(TimeSpan.FromSeconds(2), timeout.Timeout);
        Assert.True(timeout.WasSent);
        Assert.False(usual.IsCompleted);
        Assert.Equal(1, session.WindowInUse);

        time.Advance(TimeSpan.FromSeconds(7));
        Assert.False(usual.IsCompleted);
        await connection.AnswerAsync(usualSent, messageId: "usual");
        Assert.Equal("usual", (await usual.WaitAsync(Wait)).MessageId);
    }

    [Fact]
    public async Task A_request_with_a_longer_timeout_of_its_own_outlives_the_sessions_default()
    {
        await using var smsc = ScriptedSmsc.Start();
        var time = new FakeTimeProvider();
        var options = smsc.Options() with { ResponseTimeout = TimeSpan.FromSeconds(10), DeadAfterConsecutiveTimeouts = 0 };
        var (session, connection) = await ConnectAsync(smsc, options, time: time);
        await using var _ = session;

        var patient = session.SendAsync<QuerySmResp>(new QuerySm { MessageId = "abc", SourceAddr = "Instasent" }, TimeSpan.FromSeconds(30)).AsTask();
        await connection.ReceiveAsync<QuerySm>();
        var usual = session.SubmitAsync(Submit()).AsTask();
        await connection.ReceiveAsync<SubmitSm>();
        time.Advance(TimeSpan.FromSeconds(10));

        var usualTimeout = await Assert.ThrowsAsync<SmppResponseTimeoutException>(() => usual.WaitAsync(Wait));
        Assert.Equal(TimeSpan.FromSeconds(10), usualTimeout.Timeout);
        Assert.False(patient.IsCompleted);

        time.Advance(TimeSpan.FromSeconds(20));
        var patientTimeout = await Assert.ThrowsAsync<SmppResponseTimeoutException>(() => patient.WaitAsync(Wait));
        Assert.Equal(CommandId.QuerySm, patientTimeout.Command);
        Assert.Equal(TimeSpan.FromSeconds(30), patientTimeout.Timeout);
        Assert.Equal(0, session.WindowInUse);
        Assert.Equal(SmppSessionState.Bound, session.State);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(86_400_001)]
    public async Task A_timeout_of_its_own_outside_1_ms_to_1_day_is_refused_before_anything_is_sent(int milliseconds)
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc);
        await using var _ = session;

        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => session.SubmitAsync(Submit(), TimeSpan.FromMilliseconds(milliseconds)));

        Assert.Equal("responseTimeout", refused.ParamName);
        Assert.Equal(0, session.WindowInUse);
        Assert.Empty(await connection.SentBeforeEnquireLinkRespAsync());
    }

    [Fact]
    public async Task Consecutive_response_timeouts_up_to_the_limit_mark_the_link_dead()
    {
        await using var smsc = ScriptedSmsc.Start();
        var time = new FakeTimeProvider();
        var options = smsc.Options() with { ResponseTimeout = TimeSpan.FromSeconds(10), DeadAfterConsecutiveTimeouts = 3 };
        var (session, connection) = await ConnectAsync(smsc, options, time: time);
        await using var _ = session;
        var changes = Record(session);

        var two = new[] { session.SubmitAsync(Submit()).AsTask(), session.SubmitAsync(Submit()).AsTask() };
        await connection.ReceiveAsync<SubmitSm>();
        await connection.ReceiveAsync<SubmitSm>();
        time.Advance(TimeSpan.FromSeconds(10));
        foreach (var t in two)
        {
            await Assert.ThrowsAsync<SmppResponseTimeoutException>(() => t.WaitAsync(Wait));
        }

        Assert.Equal(SmppSessionState.Bound, session.State);

        var third = session.SubmitAsync(Submit()).AsTask();
        await connection.ReceiveAsync<SubmitSm>();
        time.Advance(TimeSpan.FromSeconds(10));

        var closed = await ClosedAsync(session, changes);
        Assert.Equal(SmppCloseReason.LinkDead, closed.Reason);
        Assert.Contains("response timeouts in a row", closed.Detail);
        await Assert.ThrowsAsync<SmppResponseTimeoutException>(() => third.WaitAsync(Wait));
        await connection.Closed.WaitAsync(Wait);
    }

    [Fact]
    public async Task A_response_between_timeouts_resets_the_count()
    {
        await using var smsc = ScriptedSmsc.Start();
        var time = new FakeTimeProvider();
        var options = smsc.Options() with { ResponseTimeout = TimeSpan.FromSeconds(10), DeadAfterConsecutiveTimeouts = 2 };
        var (session, connection) = await ConnectAsync(smsc, options, time: time);
        await using var _ = session;

        var lost = session.SubmitAsync(Submit()).AsTask();
        await connection.ReceiveAsync<SubmitSm>();
        time.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<SmppResponseTimeoutException>(() => lost.WaitAsync(Wait));
        var answered = session.SubmitAsync(Submit()).AsTask();
        await connection.AnswerAsync(await connection.ReceiveAsync<SubmitSm>());
        await answered.WaitAsync(Wait);
        var lostAgain = session.SubmitAsync(Submit()).AsTask();
        await connection.ReceiveAsync<SubmitSm>();
        time.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<SmppResponseTimeoutException>(() => lostAgain.WaitAsync(Wait));

        Assert.Equal(SmppSessionState.Bound, session.State);
    }

    [Fact]
    public async Task A_generic_nack_for_our_request_throws_with_its_status()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc);
        await using var _ = session;

        var query = session.SendAsync<QuerySmResp>(new QuerySm { MessageId = "abc", SourceAddr = "Instasent" }).AsTask();
        var sent = await connection.ReceiveAsync<QuerySm>();
        await connection.SendAsync(new GenericNack { CommandStatus = CommandStatus.ESME_RINVCMDID, SequenceNumber = sent.SequenceNumber });

        var nack = await Assert.ThrowsAsync<SmppGenericNackException>(() => query.WaitAsync(Wait));
        Assert.Equal(CommandStatus.ESME_RINVCMDID, nack.Status);
        Assert.True(nack.WasSent);
        Assert.Contains("generic_nack ESME_RINVCMDID (0x03)", nack.Message);
        Assert.Equal(SmppSessionState.Bound, session.State);
    }

    [Fact]
    public async Task A_response_that_does_not_decode_fails_its_request_and_is_answered_with_generic_nack()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc);
        await using var _ = session;
        var submit = session.SubmitAsync(Submit()).AsTask();
        var sent = await connection.ReceiveAsync<SubmitSm>();

        // submit_sm_resp whose message_id has no terminating NUL.
        await connection.SendRawAsync(Convert.FromHexString("00000013" + "80000004" + "00000000" + $"{sent.SequenceNumber:X8}" + "414243"));

        var failed = await Assert.ThrowsAsync<SmppProtocolException>(() => submit.WaitAsync(Wait));
        Assert.True(failed.WasSent);
        var nack = await connection.ReceiveAsync<GenericNack>();
        Assert.Equal((CommandStatus.ESME_RINVMSGID, sent.SequenceNumber), (nack.CommandStatus, nack.SequenceNumber));
        Assert.Equal(SmppSessionState.Bound, session.State);
    }

    [Fact]
    public async Task A_pdu_with_a_field_over_its_limit_fails_in_the_caller_and_nothing_is_sent()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc);
        await using var _ = session;
        var submit = Submit();
        submit.SourceAddr = new string('9', 30);

        var invalid = Assert.Throws<Instasent.Smpp.Codec.PduFieldException>(() => session.SubmitAsync(submit));

        Assert.Equal("source_addr", invalid.Field);
        Assert.Empty(await connection.SentBeforeEnquireLinkRespAsync());
        Assert.Equal(0, session.WindowInUse);
    }
}
