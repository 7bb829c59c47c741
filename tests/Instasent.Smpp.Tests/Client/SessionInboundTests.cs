using System.Collections.Concurrent;
using System.Text;
using Instasent.Smpp.Client;
using Instasent.Smpp.Pdus;
using Instasent.Testing;
using static Instasent.Smpp.Tests.Client.ClientTestSupport;

namespace Instasent.Smpp.Tests.Client;

public class SessionInboundTests
{
    [Fact]
    public async Task Deliver_sm_is_answered_only_when_the_handler_completes()
    {
        await using var smsc = ScriptedSmsc.Start();
        var handed = new TaskCompletionSource<Pdu>(TaskCreationOptions.RunContinuationsAsynchronously);
        var safe = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler(async (request, _) =>
        {
            handed.SetResult(request);
            await safe.Task;
            return request.CreateResponse();
        });
        var (session, connection) = await ConnectAsync(smsc, handler: handler);
        await using var _ = session;

        await connection.SendAsync(Receipt("abc"));
        var received = Assert.IsType<DeliverSm>(await handed.Task.WaitAsync(Wait));
        Assert.True(received.IsDeliveryReceipt);
        // Anything sent after the deliver_sm is answered first: the deliver_sm is still in the handler's hands.
        Assert.Empty(await connection.SentBeforeEnquireLinkRespAsync());

        safe.SetResult();

        var answer = await connection.ReceiveAsync<DeliverSmResp>();
        Assert.Equal((CommandStatus.ESME_ROK, received.SequenceNumber), (answer.CommandStatus, answer.SequenceNumber));
    }

    [Fact]
    public async Task With_MaxInboundInFlight_handlers_busy_the_session_reads_no_further_PDU_until_one_completes()
    {
        await using var smsc = ScriptedSmsc.Start();
        var options = smsc.Options($"inbound-bound-{Guid.NewGuid():N}") with { MaxInboundInFlight = 2 };
        using var read = new ReceivedPdus(options.ConnectionName);
        var handled = new ConcurrentQueue<uint>();
        var release = new ConcurrentDictionary<uint, TaskCompletionSource>();
        TaskCompletionSource Release(uint sequence) => release.GetOrAdd(sequence, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        var handler = new DelegateHandler(async (request, _) =>
        {
            handled.Enqueue(request.SequenceNumber);
            await Release(request.SequenceNumber).Task;
            return null;
        });
        var (session, connection) = await ConnectAsync(smsc, options, handler);
        await using var _ = session;

        foreach (var sequence in new uint[] { 1, 2, 3 })
        {
            var mo = MobileOriginated("hi");
            mo.SequenceNumber = sequence;
            await connection.SendAsync(mo);
        }
        await connection.SendAsync(new EnquireLink { SequenceNumber = 4 });
        await Eventually.TrueAsync(() => read.Count("deliver_sm") == 3 && handled.Count == 2, "deliver_sm 3 read while two handlers are busy", Wait);

        // The third deliver_sm was read and waits for a slot; what follows it stays in the socket.
        Assert.Equal(0, read.Count("enquire_link"));
        // The two handlers run concurrently: which one starts first is not ordered.
        Assert.Equal(new uint[] { 1, 2 }, handled.Order().ToArray());
        Release(1).SetResult();

        Assert.Equal(1u, (await connection.ReceiveAsync<DeliverSmResp>()).SequenceNumber);
        Assert.Equal(4u, (await connection.ReceiveAsync<EnquireLinkResp>()).SequenceNumber);
        await Eventually.TrueAsync(() => handled.Count == 3, "deliver_sm 3 handed to the freed slot", Wait);
        Release(2).SetResult();
        Release(3).SetResult();
    }

    [Fact]
    public async Task Handler_answers_go_out_in_the_order_they_complete()
    {
        await using var smsc = ScriptedSmsc.Start();
        var gates = new ConcurrentDictionary<uint, TaskCompletionSource<CommandStatus>>();
        TaskCompletionSource<CommandStatus> Gate(uint sequence) => gates.GetOrAdd(sequence, _ => new(TaskCreationOptions.RunContinuationsAsynchronously));
        var handler = new DelegateHandler(async (request, _) => request.CreateResponse(await Gate(request.SequenceNumber).Task));
        var (session, connection) = await ConnectAsync(smsc, handler: handler);
        await using var _ = session;

        await connection.SendAsync(new DeliverSm { SequenceNumber = 10, SourceAddr = "34600000001" });
        await connection.SendAsync(new DeliverSm { SequenceNumber = 11, SourceAddr = "34600000002" });
        Gate(11).SetResult(CommandStatus.ESME_ROK);
        var firstAnswer = await connection.ReceiveAsync<DeliverSmResp>();
        Gate(10).SetResult(CommandStatus.ESME_RX_T_APPN);
        var secondAnswer = await connection.ReceiveAsync<DeliverSmResp>();

        Assert.Equal((11u, CommandStatus.ESME_ROK), (firstAnswer.SequenceNumber, firstAnswer.CommandStatus));
        Assert.Equal((10u, CommandStatus.ESME_RX_T_APPN), (secondAnswer.SequenceNumber, secondAnswer.CommandStatus));
    }

    [Fact]
    public async Task A_handler_that_throws_answers_ESME_RX_T_APPN_so_the_smsc_retries()
    {
        await using var smsc = ScriptedSmsc.Start();
        var handler = new DelegateHandler((_, _) => throw new InvalidOperationException("broker down"));
        var (session, connection) = await ConnectAsync(smsc, handler: handler);
        await using var _ = session;

        await connection.SendAsync(MobileOriginated("hi"));

        Assert.Equal(CommandStatus.ESME_RX_T_APPN, (await connection.ReceiveAsync<DeliverSmResp>()).CommandStatus);
        Assert.Equal(SmppSessionState.Bound, session.State);
    }

    [Fact]
    public async Task Without_a_handler_deliver_sm_is_answered_ESME_RX_T_APPN()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc);
        await using var _ = session;

        await connection.SendAsync(MobileOriginated("hi"));

        Assert.Equal(CommandStatus.ESME_RX_T_APPN, (await connection.ReceiveAsync<DeliverSmResp>()).CommandStatus);
    }

    [Fact]
    public async Task Data_sm_goes_to_the_handler_and_gets_its_answer()
    {
        await using var smsc = ScriptedSmsc.Start();
        var handler = new DelegateHandler((request, _) => new ValueTask<Pdu?>(request.CreateResponse(CommandStatus.ESME_RX_P_APPN)));
        var (session, connection) = await ConnectAsync(smsc, handler: handler);
        await using var _ = session;

        await connection.SendAsync(new DataSm { SequenceNumber = 5, SourceAddr = "34600000000", DestinationAddr = "Instasent" });

        var answer = await connection.ReceiveAsync<DataSmResp>();
        Assert.Equal((5u, CommandStatus.ESME_RX_P_APPN), (answer.SequenceNumber, answer.CommandStatus));
    }

    [Fact]
    public async Task Alert_notification_goes_to_the_handler_and_gets_no_response()
    {
        await using var smsc = ScriptedSmsc.Start();
        var alerted = new TaskCompletionSource<Pdu>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new DelegateHandler((request, _) =>
        {
            alerted.SetResult(request);
            return new ValueTask<Pdu?>((Pdu?)null);
        });
        var (session, connection) = await ConnectAsync(smsc, handler: handler);
        await using var _ = session;

        await connection.SendAsync(new AlertNotification { SequenceNumber = 7, SourceAddr = "34600000000", EsmeAddr = "Instasent" });
        Assert.IsType<AlertNotification>(await alerted.Task.WaitAsync(Wait));

        // No response to alert_notification (SMPP 3.4 §4.12.1): once the session has closed, all it ever sent is known.
        await session.CloseAsync().WaitAsync(Wait);
        Assert.DoesNotContain(connection.All, p => p.IsResponse);
    }

    [Fact]
    public async Task An_unsupported_request_from_the_smsc_gets_generic_nack_ESME_RINVCMDID()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc);
        await using var _ = session;

        await connection.SendAsync(new QuerySm { SequenceNumber = 21, MessageId = "x" });

        var nack = await connection.ReceiveAsync<GenericNack>();
        Assert.Equal((CommandStatus.ESME_RINVCMDID, 21u), (nack.CommandStatus, nack.SequenceNumber));
    }

    [Fact]
    public async Task An_unknown_command_id_keeps_the_stream_in_sync_and_gets_generic_nack()
    {
        await using var smsc = ScriptedSmsc.Start();
        smsc.SubmitResponder = s => s.CreateResponse();
        var (session, connection) = await ConnectAsync(smsc);
        await using var _ = session;

        await connection.SendRawAsync(Convert.FromHexString("00000014" + "00000777" + "00000000" + "00000003" + "DEADBEEF"));

        var nack = await connection.ReceiveAsync<GenericNack>();
        Assert.Equal((CommandStatus.ESME_RINVCMDID, 3u), (nack.CommandStatus, nack.SequenceNumber));
        await session.SubmitAsync(Submit()).AsTask().WaitAsync(Wait);
    }

    [Fact]
    public async Task A_malformed_deliver_sm_is_answered_with_deliver_sm_resp_carrying_the_error_status()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc, handler: new DelegateHandler((r, _) => new ValueTask<Pdu?>(r.CreateResponse())));
        await using var _ = session;

        // deliver_sm whose body ends after source_addr_ton: the length is sound, the body is not.
        await connection.SendRawAsync(Convert.FromHexString("00000012" + "00000005" + "00000000" + "00000009" + "0001"));

        var answer = await connection.ReceiveAsync<DeliverSmResp>();
        Assert.Equal((CommandStatus.ESME_RINVCMDLEN, 9u), (answer.CommandStatus, answer.SequenceNumber));
        Assert.Equal(SmppSessionState.Bound, session.State);
    }

    [Fact]
    public async Task A_command_length_beyond_the_limit_loses_the_stream_and_closes_with_ProtocolError()
    {
        await using var smsc = ScriptedSmsc.Start();
        var (session, connection) = await ConnectAsync(smsc);
        await using var _ = session;
        var changes = Record(session);

        await connection.SendRawAsync(Convert.FromHexString("00100000" + "00000005" + "00000000" + "00000001"));

        var closed = await ClosedAsync(session, changes);
        Assert.Equal(SmppCloseReason.ProtocolError, closed.Reason);
        Assert.Contains("command_length is 1048576; this session accepts at most 65536", closed.Detail);
        await connection.Closed.WaitAsync(Wait);
    }

    [Fact]
    public async Task Receipts_and_mobile_originated_messages_arrive_while_submits_are_in_flight()
    {
        await using var smsc = ScriptedSmsc.Start();
        var receipts = new ConcurrentBag<string>();
        var inbound = new ConcurrentBag<string>();
        var handler = new DelegateHandler(async (request, _) =>
        {
            await Task.Yield();
            var deliver = (DeliverSm)request;
            var text = Encoding.ASCII.GetString(deliver.ShortMessage.Span);
            (deliver.IsDeliveryReceipt ? receipts : inbound).Add(text);
            return request.CreateResponse();
        });
        var (session, connection) = await ConnectAsync(smsc, smsc.Options() with { WindowSize = 10 }, handler);
        await using var _ = session;
        const int count = 100;

        // The SMSC sends each receipt before the submit_sm_resp it belongs to, and an MO every tenth submit.
        var smscSide = Task.Run(async () =>
        {
            for (var i = 0; i < count;)
            {
                // deliver_sm_resp reach the test too; only the submits need an answer.
                if (await connection.ReceiveAsync() is not SubmitSm submit)
                {
                    continue;
                }

                await connection.SendAsync(Receipt($"m{submit.SequenceNumber}"));
                if (i % 10 == 0)
                {
                    await connection.SendAsync(MobileOriginated($"mo{i}"));
                }

                await connection.AnswerAsync(submit, messageId: $"m{submit.SequenceNumber}");
                i++;
            }
        });
        var workers = Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            var ids = new List<string>();
            for (var i = 0; i < count / 10; i++)
            {
                ids.Add((await session.SubmitAsync(Submit())).MessageId);
            }

            return ids;
        })).ToArray();

        var messageIds = (await Task.WhenAll(workers).WaitAsync(Wait)).SelectMany(ids => ids).ToList();
        await smscSide.WaitAsync(Wait);
        await connection.WaitForAsync<DeliverSmResp>(_ => connection.All.OfType<DeliverSmResp>().Count() == count + count / 10);

        Assert.Equal(count, messageIds.Distinct().Count());
        Assert.Equal(count, receipts.Count);
        Assert.Equal(count / 10, inbound.Count);
        Assert.All(connection.All.OfType<DeliverSmResp>(), r => Assert.Equal(CommandStatus.ESME_ROK, r.CommandStatus));
    }
}

/// <summary>PDUs a session has read (its <c>smpp.client.pdus</c> counter, direction received), by command name.</summary>
internal sealed class ReceivedPdus : IDisposable
{
    private readonly ConcurrentDictionary<string, int> _counts = new();
    private readonly System.Diagnostics.Metrics.MeterListener _listener = new();

    public ReceivedPdus(string connectionName)
    {
        _listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == SmppTelemetry.MeterName && instrument.Name == "smpp.client.pdus")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            string? connection = null, direction = null, command = null;
            foreach (var tag in tags)
            {
                switch (tag.Key)
                {
                    case "smpp.connection": connection = tag.Value as string; break;
                    case "smpp.direction": direction = tag.Value as string; break;
                    case "smpp.command": command = tag.Value as string; break;
                }
            }
            if (connection == connectionName && direction == "received" && command is not null)
            {
                _counts.AddOrUpdate(command, (int)value, (_, n) => n + (int)value);
            }
        });
        _listener.Start();
    }

    public int Count(string command) => _counts.GetValueOrDefault(command);

    public void Dispose() => _listener.Dispose();
}
