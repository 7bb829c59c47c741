using System.Globalization;
using Instasent.Smpp.Client;
using Instasent.Smpp.Pdus;
using Instasent.Smpp.TestSupport;
using Instasent.Smpp.TestSupport.Peers;

namespace Instasent.Smpp.Tests.Interop;

/// <summary>
/// Real sockets between our code and independent SMPP stacks: third-party ESMEs (node-smpp, Perl's Net::SMPP)
/// against our simulator, and our client session against node-smpp's server.
/// </summary>
[Collection(InteropPeersCollection.Name)]
public sealed class ThirdPartySessionTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Node_smpp_esme_submits_100_to_our_simulator_and_gets_a_receipt_for_each()
    {
        await using var simulator = await Sim.StartAsync();

        var run = await NodeEsmeClient.RunAsync(new NodeEsmeOptions("127.0.0.1", simulator.Port, Sim.User, Sim.Password)
        {
            Count = 100, Window = 10, WaitReceipts = true, Duration = TimeSpan.FromSeconds(30),
        });

        Assert.True(run.ExitCode == 0, run.Raw.ToString());
        Assert.Equal(0, run.BindStatus);
        Assert.Equal(100, run.Acknowledged);
        Assert.Equal(100, run.Receipts);
        Assert.Equal(100, run.MessageIds.Distinct().Count());
        Assert.Equal(0, run.Unbind?["command_status"]?.GetValue<int>());
    }

    [Fact]
    public async Task Our_simulator_refuses_a_node_smpp_bind_with_a_wrong_password_with_ESME_RINVPASWD()
    {
        await using var simulator = await Sim.StartAsync();

        var run = await NodeEsmeClient.RunAsync(new NodeEsmeOptions("127.0.0.1", simulator.Port, Sim.User, "wrong")
        {
            Duration = TimeSpan.FromSeconds(15),
        });

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("ESME_RINVPASWD", run.Bind?["command_status_name"]?.GetValue<string>());
    }

    [Fact]
    public async Task Net_SMPP_esme_submits_to_our_simulator_and_gets_a_receipt_for_each()
    {
        await using var simulator = await Sim.StartAsync();

        var run = await NetSmppClient.RunAsync("127.0.0.1", simulator.Port, Sim.User, Sim.Password, count: 5, waitReceipts: true,
            timeout: TimeSpan.FromSeconds(20));

        Assert.True(run.ExitCode == 0, run.Raw.ToString());
        var ids = run.Of("submit_sm_resp").Select(r => r["message_id"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(5, ids.Count);
        Assert.Equal(ids, run.Of("deliver_sm").Select(r => r["receipted_message_id"]!.GetValue<string>()).Order());
        Assert.All(run.Of("deliver_sm"), r => Assert.StartsWith("id:", r["short_message"]!.GetValue<string>(), StringComparison.Ordinal));
        Assert.Single(run.Of("unbind_resp"));
    }

    [Fact]
    public async Task Our_session_submits_to_node_smpp_smsc_and_receives_a_receipt_for_each()
    {
        await using var smsc = await NodeSmppServer.StartAsync(Sim.User, Sim.Password, receipts: true);
        var receipts = new ReceiptCollector(expected: 20);
        var session = await SmppSession.ConnectAsync(Options(smsc, Sim.Password), receipts).WaitAsync(Wait);
        try
        {
            var submits = Enumerable.Range(0, 20).Select(i => session.SubmitAsync(Sim.Submit($"interop {i}")).AsTask()).ToList();
            var responses = await Task.WhenAll(submits).WaitAsync(Wait);
            await receipts.All.WaitAsync(Wait);

            Assert.All(responses, r => Assert.Equal(CommandStatus.ESME_ROK, r.CommandStatus));
            Assert.Equal(Enumerable.Range(1, 20), responses.Select(r => int.Parse(r.MessageId, CultureInfo.InvariantCulture)).Order());
            Assert.Equal(responses.Select(r => r.MessageId).Order(), receipts.ReceiptedMessageIds.Order());
            Assert.Equal("node-smpp-smsc", session.RemoteSystemId);
        }
        finally
        {
            await session.CloseAsync().WaitAsync(Wait);
        }
    }

    [Fact]
    public async Task Our_session_reports_node_smpp_smsc_refusing_a_wrong_password_as_ESME_RINVPASWD()
    {
        await using var smsc = await NodeSmppServer.StartAsync(Sim.User, Sim.Password);

        var error = await Assert.ThrowsAsync<SmppBindException>(() => SmppSession.ConnectAsync(Options(smsc, "wrong")).WaitAsync(Wait));

        Assert.Equal(CommandStatus.ESME_RINVPASWD, error.Status);
        Assert.True(error.IsCredentialError);
    }

    private static SmppSessionOptions Options(NodeSmppServer smsc, string password) => new()
    {
        Host = smsc.Host, Port = smsc.Port, SystemId = Sim.User, Password = password, ConnectionName = "node-smpp",
    };

    /// <summary>Answers every deliver_sm and completes once <c>expected</c> delivery receipts arrived.</summary>
    private sealed class ReceiptCollector(int expected) : ISmppInboundHandler
    {
        private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<string> _ids = [];

        public Task All => _all.Task;

        public IReadOnlyList<string> ReceiptedMessageIds
        {
            get { lock (_ids)
                {
                    return [.. _ids];
                }
            }
        }

        public ValueTask<Pdu?> HandleAsync(SmppSession session, Pdu request, CancellationToken cancellationToken)
        {
            if (request is DeliverSm { IsDeliveryReceipt: true } receipt)
            {
                lock (_ids)
                {
                    _ids.Add(receipt.Tlvs.ReceiptedMessageId ?? "");
                    if (_ids.Count == expected)
                    {
                        _all.TrySetResult();
                    }
                }
            }
            return ValueTask.FromResult(request.CreateResponse());
        }
    }
}
