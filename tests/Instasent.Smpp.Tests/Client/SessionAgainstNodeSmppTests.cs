using Instasent.Smpp.Client;
using Instasent.Smpp.Pdus;
using Instasent.Smpp.TestSupport.Peers;
using Instasent.Testing;
using static Instasent.Smpp.Tests.Client.ClientTestSupport;

namespace Instasent.Smpp.Tests.Client;

/// <summary>The session against node-smpp's server (tests/interop/smsc-server.js), an independent implementation.</summary>
public class SessionAgainstNodeSmppTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    private static SmppSessionOptions Options(NodeSmppServer server, string password = "mypass", int window = 10) => new()
    {
        Host = server.Host,
        Port = server.Port,
        SystemId = "myuser",
        Password = password,
        WindowSize = window,
        ConnectionName = "node-smpp",
        EnquireLinkInterval = TimeSpan.Zero,
    };

    [Fact]
    public async Task Binds_submits_1000_with_window_10_and_unbinds()
    {
        await using var server = await NodeSmppServer.StartAsync("myuser", "mypass");
        var session = await SmppSession.ConnectAsync(Options(server)).WaitAsync(Wait);
        var changes = Record(session);

        var workers = Enumerable.Range(0, 10).Select(_ => Task.Run(async () =>
        {
            var ids = new List<string>();
            for (var i = 0; i < 100; i++)
            {
                var response = await session.SubmitAsync(Submit());
                Assert.Equal(CommandStatus.ESME_ROK, response.CommandStatus);
                ids.Add(response.MessageId);
            }
            return ids;
        })).ToArray();
        var ids = (await Task.WhenAll(workers).WaitAsync(Long)).SelectMany(i => i).ToList();
        await session.CloseAsync().WaitAsync(Wait);

        Assert.Equal(1000, ids.Distinct().Count());
        Assert.Equal(SmppCloseReason.LocalClose, changes.Last().Reason);
        Assert.Contains(changes, c => c.State == SmppSessionState.Unbinding);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_ESME_RINVPASWD()
    {
        await using var server = await NodeSmppServer.StartAsync("myuser", "mypass");

        var refused = await Assert.ThrowsAsync<SmppBindException>(() => SmppSession.ConnectAsync(Options(server, "wrong")).WaitAsync(Wait));

        Assert.Equal(CommandStatus.ESME_RINVPASWD, refused.Status);
    }

    [Fact]
    public async Task Receipts_from_node_smpp_reach_the_handler_and_are_acknowledged()
    {
        await using var server = await NodeSmppServer.StartAsync("myuser", "mypass", receipts: true);
        var receipts = new System.Collections.Concurrent.ConcurrentBag<string>();
        var handler = new DelegateHandler((request, _) =>
        {
            if (request is DeliverSm { IsDeliveryReceipt: true } receipt)
            {
                receipts.Add(receipt.Tlvs.ReceiptedMessageId ?? "");
            }

            return new ValueTask<Pdu?>(request.CreateResponse());
        });
        await using var session = await SmppSession.ConnectAsync(Options(server), handler).WaitAsync(Wait);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => session.SubmitAsync(Submit()).AsTask())).WaitAsync(Wait);

        await Eventually.TrueAsync(() => receipts.Count >= 10, "10 receipts", Wait);
        Assert.Equal(responses.Select(r => r.MessageId).Order(), receipts.Order());
    }

    [Fact]
    public async Task An_unsupported_request_is_answered_with_generic_nack()
    {
        await using var server = await NodeSmppServer.StartAsync("myuser", "mypass");
        await using var session = await SmppSession.ConnectAsync(Options(server)).WaitAsync(Wait);

        var nack = await Assert.ThrowsAsync<SmppGenericNackException>(() =>
            session.SendAsync<QuerySmResp>(new QuerySm { MessageId = "1", SourceAddr = "Instasent" }).AsTask().WaitAsync(Wait));

        Assert.Equal(CommandStatus.ESME_RINVCMDID, nack.Status);
        Assert.Equal(SmppSessionState.Bound, session.State);
    }
}
