using System.Net;
using System.Net.Sockets;
using Instasent.Smpp.Client;
using Instasent.Smpp.Pdus;
using Microsoft.Extensions.Time.Testing;
using static Instasent.Smpp.Tests.Client.ClientTestSupport;

namespace Instasent.Smpp.Tests.Client;

public class SessionBindTests
{
    [Fact]
    public async Task Binds_as_transceiver_with_the_configured_credentials_and_reads_sc_interface_version()
    {
        await using var smsc = ScriptedSmsc.Start();
        var options = smsc.Options() with { SystemType = "OTA", AddressRange = "^34" };

        var (session, connection) = await ConnectAsync(smsc, options);
        await using var _ = session;

        var bind = await connection.WaitForAsync<BindTransceiver>();
        Assert.Equal(("esme", "secret", "OTA", InterfaceVersion.V34, "^34"), (bind.SystemId, bind.Password, bind.SystemType, bind.InterfaceVersion, bind.AddressRange));
        Assert.Equal(SmppSessionState.Bound, session.State);
        Assert.Equal(InterfaceVersion.V34, session.ScInterfaceVersion);
        Assert.Equal("scripted", session.RemoteSystemId);
    }

    [Theory]
    [InlineData(BindType.Transmitter, CommandId.BindTransmitter)]
    [InlineData(BindType.Receiver, CommandId.BindReceiver)]
    [InlineData(BindType.Transceiver, CommandId.BindTransceiver)]
    public async Task Binds_with_the_configured_bind_type_and_interface_version_5_0(BindType bindType, CommandId expected)
    {
        await using var smsc = ScriptedSmsc.Start();
        smsc.ScInterfaceVersion = InterfaceVersion.V50;

        var (session, connection) = await ConnectAsync(smsc, smsc.Options() with { BindType = bindType, InterfaceVersion = InterfaceVersion.V50 });
        await using var _ = session;

        var bind = await connection.WaitForAsync<BindRequest>();
        Assert.Equal(expected, bind.CommandId);
        Assert.Equal(InterfaceVersion.V50, bind.InterfaceVersion);
        Assert.Equal(InterfaceVersion.V50, session.ScInterfaceVersion);
    }

    [Fact]
    public async Task Sc_interface_version_is_null_when_the_bind_response_leaves_it_out()
    {
        await using var smsc = ScriptedSmsc.Start();
        smsc.ScInterfaceVersion = null;

        var (session, _) = await ConnectAsync(smsc);
        await using var __ = session;

        Assert.Null(session.ScInterfaceVersion);
    }

    [Theory]
    [InlineData(CommandStatus.ESME_RINVPASWD, "ESME_RINVPASWD (0x0E)", true)]
    [InlineData(CommandStatus.ESME_RINVSYSID, "ESME_RINVSYSID (0x0F)", true)]
    [InlineData(CommandStatus.ESME_RBINDFAIL, "ESME_RBINDFAIL (0x0D)", false)]
    [InlineData(CommandStatus.ESME_RALYBND, "ESME_RALYBND (0x05)", false)]
    public async Task A_refused_bind_throws_with_the_status_and_its_name(CommandStatus status, string described, bool credentialError)
    {
        await using var smsc = ScriptedSmsc.Start();
        smsc.BindStatus = status;
        var session = new SmppSession(smsc.Options());
        var changes = Record(session);

        var refused = await Assert.ThrowsAsync<SmppBindException>(() => session.OpenAsync().WaitAsync(Wait));

        Assert.Equal(status, refused.Status);
        Assert.Contains(described, refused.Message);
        Assert.Equal(credentialError, refused.IsCredentialError);
        var closed = await ClosedAsync(session, changes);
        Assert.Equal((SmppCloseReason.BindRefused, status), (closed.Reason, closed.CommandStatus));
        var connection = await smsc.AcceptAsync();
        await connection.Closed.WaitAsync(Wait);
    }

    [Fact]
    public async Task A_generic_nack_to_the_bind_is_a_refusal_with_its_status()
    {
        await using var smsc = ScriptedSmsc.Start();
        smsc.AnswerBind = false;
        var connect = SmppSession.ConnectAsync(smsc.Options());
        var connection = await smsc.AcceptAsync();
        var bind = await connection.ReceiveAsync<BindTransceiver>();

        await connection.SendAsync(new GenericNack { CommandStatus = CommandStatus.ESME_RINVCMDID, SequenceNumber = bind.SequenceNumber });

        var refused = await Assert.ThrowsAsync<SmppBindException>(() => connect.WaitAsync(Wait));
        Assert.Equal(CommandStatus.ESME_RINVCMDID, refused.Status);
        Assert.Contains("generic_nack ESME_RINVCMDID (0x03)", refused.Message);
    }

    [Fact]
    public async Task A_password_longer_than_8_characters_fails_before_anything_is_sent()
    {
        await using var smsc = ScriptedSmsc.Start();

        var invalid = await Assert.ThrowsAsync<ArgumentException>(() => SmppSession.ConnectAsync(smsc.Options() with { Password = "ninechars" }));

        Assert.Equal("Password", invalid.ParamName);
        Assert.Contains("Password is 9 characters; SMPP allows at most 8", invalid.Message);
        Assert.DoesNotContain("ninechars", invalid.Message);
        Assert.Equal(0, smsc.AcceptedCount);
    }

    [Fact]
    public async Task A_bind_left_unanswered_fails_with_a_connection_exception_after_the_response_timeout()
    {
        await using var smsc = ScriptedSmsc.Start();
        smsc.AnswerBind = false;
        var time = new FakeTimeProvider();
        var session = new SmppSession(smsc.Options() with { ResponseTimeout = TimeSpan.FromSeconds(10) }, timeProvider: time);
        var changes = Record(session);
        var open = session.OpenAsync();
        var connection = await smsc.AcceptAsync();
        await connection.ReceiveAsync<BindTransceiver>();

        time.Advance(TimeSpan.FromSeconds(10));

        var failed = await Assert.ThrowsAsync<SmppConnectionException>(() => open.WaitAsync(Wait));
        Assert.Contains("No response to bind_transceiver", failed.Message);
        Assert.Equal(SmppCloseReason.ConnectFailed, (await ClosedAsync(session, changes)).Reason);
    }

    [Fact]
    public async Task Connecting_to_a_port_nobody_listens_on_fails_with_a_connection_exception()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        var failed = await Assert.ThrowsAsync<SmppConnectionException>(() => SmppSession.ConnectAsync(new SmppSessionOptions
        {
            Host = "127.0.0.1", Port = port, SystemId = "esme", Password = "secret",
        }).WaitAsync(Wait));

        Assert.Contains($"127.0.0.1:{port}", failed.Message);
    }

    [Fact]
    public async Task State_changes_are_reported_from_connecting_to_closed()
    {
        await using var smsc = ScriptedSmsc.Start();
        var session = new SmppSession(smsc.Options());
        var changes = Record(session);

        await session.OpenAsync().WaitAsync(Wait);
        await session.CloseAsync().WaitAsync(Wait);

        Assert.Equal(
            [SmppSessionState.Connecting, SmppSessionState.Binding, SmppSessionState.Bound, SmppSessionState.Unbinding, SmppSessionState.Closed],
            changes.Select(c => c.State));
        Assert.Equal(SmppCloseReason.LocalClose, changes.Last().Reason);
    }

    [Fact]
    public async Task Binds_over_tls_when_the_smsc_certificate_is_accepted()
    {
        await using var smsc = ScriptedSmsc.StartTls();
        smsc.SubmitResponder = s => s.CreateResponse();
        var options = smsc.Options() with { UseTls = true, TlsTargetHost = "localhost", TlsAllowUntrustedCertificate = true };

        var (session, _) = await ConnectAsync(smsc, options);
        await using var __ = session;

        Assert.Equal(SmppSessionState.Bound, session.State);
        Assert.Equal(CommandStatus.ESME_ROK, (await session.SubmitAsync(Submit()).AsTask().WaitAsync(Wait)).CommandStatus);
    }

    [Fact]
    public async Task An_untrusted_smsc_certificate_fails_the_connection_before_the_bind()
    {
        await using var smsc = ScriptedSmsc.StartTls();
        var options = smsc.Options() with { UseTls = true, TlsTargetHost = "localhost" };

        var failed = await Assert.ThrowsAsync<SmppConnectionException>(() => SmppSession.ConnectAsync(options).WaitAsync(Wait));

        Assert.Contains("(TLS)", failed.Message);
        var connection = await smsc.AcceptAsync();
        await connection.Closed.WaitAsync(Wait);
        Assert.Empty(connection.All);
    }
}
