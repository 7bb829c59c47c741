using System.Collections.Concurrent;
using Instasent.Smpp.Client;
using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Simulator;
using Instasent.Testing;
using static Instasent.Smpp.Tests.Client.ClientTestSupport;

namespace Instasent.Smpp.Tests.Client;

/// <summary>The session against our SMSC simulator, hosted in the test on a free port, faults switched on per test.</summary>
public class SessionAgainstSimulatorTests
{
    private const string User = "myuser";
    private const string Password = "mypass";

    private static async Task<SmscSimulator> StartSimulatorAsync()
    {
        var simulator = new SmscSimulator(new SimulatorOptions
        {
            Accounts = [new SimulatorAccount(User, Password)],
            ReceiptDelay = TimeSpan.FromMilliseconds(20),
            DeliverRetryDelay = TimeSpan.FromMilliseconds(50),
        });
        await simulator.StartAsync();
        return simulator;
    }

    private static SmppSessionOptions Options(SmscSimulator simulator, string password = Password) => new()
    {
        Host = "127.0.0.1",
        Port = simulator.Port,
        SystemId = User,
        Password = password,
        ConnectionName = "simulator",
        EnquireLinkInterval = TimeSpan.Zero,
    };

    private static DelegateHandler CountingHandler(ConcurrentBag<DeliverSm> receipts) => new((request, _) =>
    {
        if (request is DeliverSm { IsDeliveryReceipt: true } receipt)
        {
            receipts.Add(receipt);
        }

        return new ValueTask<Pdu?>(request.CreateResponse());
    });

    private static Task WaitUntilAsync(Func<bool> condition, string what) => Eventually.TrueAsync(condition, what, Wait);

    [Theory]
    [InlineData(InterfaceVersion.V34)]
    [InlineData(InterfaceVersion.V50)]
    public async Task Binds_to_the_simulator_and_unbinds(byte version)
    {
        await using var simulator = await StartSimulatorAsync();

        var session = await SmppSession.ConnectAsync(Options(simulator) with { InterfaceVersion = version }).WaitAsync(Wait);
        Assert.Equal(SmppSessionState.Bound, session.State);
        Assert.Equal("Instasent", session.RemoteSystemId);
        Assert.Equal(1, simulator.Stats.BoundSessions);
        await session.CloseAsync().WaitAsync(Wait);

        await WaitUntilAsync(() => simulator.Stats.BoundSessions == 0, "the simulator seeing the unbind");
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_ESME_RINVPASWD()
    {
        await using var simulator = await StartSimulatorAsync();

        var refused = await Assert.ThrowsAsync<SmppBindException>(() => SmppSession.ConnectAsync(Options(simulator, "wrong")).WaitAsync(Wait));

        Assert.Equal(CommandStatus.ESME_RINVPASWD, refused.Status);
        Assert.True(refused.IsCredentialError);
    }

    [Fact]
    public async Task Binds_refused_for_a_while_say_ESME_RBINDFAIL()
    {
        await using var simulator = await StartSimulatorAsync();
        simulator.Faults.RefuseBindsUntil = DateTimeOffset.UtcNow.AddMinutes(1);

        var refused = await Assert.ThrowsAsync<SmppBindException>(() => SmppSession.ConnectAsync(Options(simulator)).WaitAsync(Wait));

        Assert.Equal(CommandStatus.ESME_RBINDFAIL, refused.Status);
        Assert.False(refused.IsCredentialError);
    }

    [Fact]
    public async Task Receipts_arrive_while_submitting_and_each_is_acknowledged()
    {
        await using var simulator = await StartSimulatorAsync();
        var receipts = new ConcurrentBag<DeliverSm>();
        await using var session = await SmppSession.ConnectAsync(Options(simulator) with { WindowSize = 20 }, CountingHandler(receipts)).WaitAsync(Wait);
        const int count = 200;

        var workers = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            var ids = new List<string>();
            for (var i = 0; i < count / 20; i++)
            {
                var response = await session.SubmitAsync(Submit());
                Assert.Equal(CommandStatus.ESME_ROK, response.CommandStatus);
                ids.Add(response.MessageId);
            }
            return ids;
        })).ToArray();
        var messageIds = (await Task.WhenAll(workers).WaitAsync(Wait)).SelectMany(i => i).ToHashSet();
        await WaitUntilAsync(() => simulator.Stats.ReceiptsAcknowledged == count, $"{count} receipts acknowledged");

        Assert.Equal(count, messageIds.Count);
        Assert.Equal(count, receipts.Count);
        Assert.All(receipts, r => Assert.Contains(r.Tlvs.ReceiptedMessageId ?? "", messageIds));
    }

    [Fact]
    public async Task Throttling_answers_are_returned_and_the_session_stays_bound()
    {
        await using var simulator = await StartSimulatorAsync();
        simulator.Faults.MaxSubmitsPerSecond = 5;
        await using var session = await SmppSession.ConnectAsync(Options(simulator)).WaitAsync(Wait);

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => session.SubmitAsync(Submit()).AsTask())).WaitAsync(Wait);

        Assert.Contains(responses, r => r.CommandStatus == CommandStatus.ESME_RTHROTTLED);
        Assert.Contains(responses, r => r.CommandStatus == CommandStatus.ESME_ROK);
        Assert.Equal(SmppSessionState.Bound, session.State);
    }

    [Fact]
    public async Task A_dropped_connection_fails_outstanding_submits_as_sent_and_closes_with_NetworkError()
    {
        await using var simulator = await StartSimulatorAsync();
        simulator.Faults.ResponseDelay = TimeSpan.FromSeconds(30);
        var session = await SmppSession.ConnectAsync(Options(simulator)).WaitAsync(Wait);
        var changes = Record(session);
        var submits = Enumerable.Range(0, 5).Select(_ => session.SubmitAsync(Submit()).AsTask()).ToArray();
        await WaitUntilAsync(() => simulator.Stats.SubmitsAccepted == 5, "5 submits reaching the simulator");

        await simulator.DropAllConnectionsAsync().WaitAsync(Wait);

        foreach (var submit in submits)
        {
            var failed = await Assert.ThrowsAsync<SmppSessionClosedException>(() => submit.WaitAsync(Wait));
            Assert.True(failed.WasSent);
        }
        Assert.Equal(SmppCloseReason.NetworkError, (await ClosedAsync(session, changes)).Reason);
    }

    [Fact]
    public async Task A_malformed_deliver_sm_is_answered_with_an_error_and_the_session_carries_on()
    {
        await using var simulator = await StartSimulatorAsync();
        var receipts = new ConcurrentBag<DeliverSm>();
        await using var session = await SmppSession.ConnectAsync(Options(simulator), CountingHandler(receipts)).WaitAsync(Wait);

        simulator.Faults.SendMalformedPduNext = true;
        var response = await session.SubmitAsync(Submit()).AsTask().WaitAsync(Wait);

        Assert.Equal(CommandStatus.ESME_ROK, response.CommandStatus);
        await WaitUntilAsync(() => simulator.Stats.DeliverSmResponses.ContainsKey("ESME_RINVMSGLEN"), "an answer to the malformed deliver_sm");
        Assert.Equal(1, simulator.Stats.MalformedPdusSent);
        await WaitUntilAsync(() => simulator.Stats.ReceiptsAcknowledged == 1, "the receipt acknowledged");
        Assert.Equal(SmppSessionState.Bound, session.State);
    }

    [Fact]
    public async Task An_smsc_ignoring_enquire_link_is_detected_as_a_dead_link()
    {
        await using var simulator = await StartSimulatorAsync();
        simulator.Faults.IgnoreEnquireLink = true;
        // The response timeout also bounds the bind: 2 s, not less, or a cold first bind on a busy CI machine times out
        // before the enquire_link under test is even sent (seen once at 0.5 s).
        var options = Options(simulator) with { EnquireLinkInterval = TimeSpan.FromMilliseconds(200), ResponseTimeout = TimeSpan.FromSeconds(2) };
        var session = await SmppSession.ConnectAsync(options).WaitAsync(Wait);
        var changes = Record(session);

        var closed = await ClosedAsync(session, changes);

        Assert.Equal(SmppCloseReason.LinkDead, closed.Reason);
        Assert.Contains("no enquire_link_resp", closed.Detail);
    }

    [Fact]
    public async Task Unanswered_submits_time_out_and_mark_the_link_dead()
    {
        await using var simulator = await StartSimulatorAsync();
        simulator.Faults.DropResponses = true;
        // 2 s bounds the bind too (see the enquire_link test above).
        var options = Options(simulator) with { ResponseTimeout = TimeSpan.FromSeconds(2), DeadAfterConsecutiveTimeouts = 3 };
        var session = await SmppSession.ConnectAsync(options).WaitAsync(Wait);
        var changes = Record(session);

        var submits = Enumerable.Range(0, 3).Select(_ => session.SubmitAsync(Submit()).AsTask()).ToArray();

        foreach (var submit in submits)
        {
            Assert.True((await Assert.ThrowsAsync<SmppResponseTimeoutException>(() => submit.WaitAsync(Wait))).WasSent);
        }

        Assert.Equal(SmppCloseReason.LinkDead, (await ClosedAsync(session, changes)).Reason);
    }
}
