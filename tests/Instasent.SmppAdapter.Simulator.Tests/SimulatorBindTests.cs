using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Simulator;
using Instasent.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Instasent.SmppAdapter.Simulator.Tests;

public class SimulatorBindTests
{
    [Theory]
    [InlineData(InterfaceVersion.V34, InterfaceVersion.V34)]
    [InlineData(InterfaceVersion.V50, InterfaceVersion.V50)]
    public async Task Bind_transceiver_with_the_account_credentials_is_accepted_with_sc_interface_version(byte version, byte expected)
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.ConnectAsync(simulator.Port);

        var response = Assert.IsType<BindTransceiverResp>(await client.RequestAsync(Sim.Transceiver(version)));

        Assert.Equal(CommandStatus.ESME_ROK, response.CommandStatus);
        Assert.Equal("Instasent", response.SystemId);
        Assert.Equal(expected, response.Tlvs.ScInterfaceVersion);
        Assert.Equal(1, simulator.Stats.BoundSessions);
    }

    [Fact]
    public async Task Bind_with_interface_version_3_3_gets_no_tlvs()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.ConnectAsync(simulator.Port);

        var response = Assert.IsType<BindTransmitterResp>(await client.RequestAsync(Sim.Transmitter(InterfaceVersion.V33)));

        Assert.Equal(CommandStatus.ESME_ROK, response.CommandStatus);
        Assert.Empty(response.Tlvs);
    }

    [Theory]
    [InlineData(Sim.User, "wrong", CommandStatus.ESME_RINVPASWD)]
    [InlineData("nobody", Sim.Password, CommandStatus.ESME_RINVSYSID)]
    public async Task Bind_with_wrong_credentials_is_refused_with_the_matching_status(string user, string password, CommandStatus expected)
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.ConnectAsync(simulator.Port);

        var response = await client.RequestAsync(Sim.Transceiver(user: user, password: password));

        Assert.IsType<BindTransceiverResp>(response);
        Assert.Equal(expected, response.CommandStatus);
        Assert.Equal(1, simulator.Stats.BindsRefused[expected.ToString()]);
    }

    [Fact]
    public async Task Binds_over_the_account_limit_are_refused_with_ESME_RBINDFAIL_until_a_session_closes()
    {
        await using var simulator = await Sim.StartAsync(Sim.Options(new SimulatorAccount(Sim.User, Sim.Password, MaxBinds: 2)));
        await using var first = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        await using var second = await RawSmppClient.BoundAsync(simulator.Port, Sim.Receiver());
        await using var third = await RawSmppClient.ConnectAsync(simulator.Port);

        Assert.Equal(CommandStatus.ESME_RBINDFAIL, (await third.RequestAsync(Sim.Transceiver())).CommandStatus);

        Assert.Equal(CommandStatus.ESME_ROK, (await first.RequestAsync(new Unbind())).CommandStatus);
        Assert.True(await first.ClosedWithinAsync(RawSmppClient.DefaultWait));
        await WaitUntilAsync(() => simulator.Stats.BoundSessions == 1);
        Assert.Equal(CommandStatus.ESME_ROK, (await third.RequestAsync(Sim.Transceiver())).CommandStatus);
    }

    [Fact]
    public async Task The_peak_of_bound_sessions_is_kept_after_they_unbind()
    {
        await using var simulator = await Sim.StartAsync();
        await using (var first = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter()))
        await using (var second = await RawSmppClient.BoundAsync(simulator.Port, Sim.Receiver()))
        {
            Assert.Equal(CommandStatus.ESME_ROK, (await first.RequestAsync(new Unbind())).CommandStatus);
            Assert.True(await first.ClosedWithinAsync(RawSmppClient.DefaultWait));
            await WaitUntilAsync(() => simulator.Stats.BoundSessions == 1);
            await using var third = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());
            Assert.Equal(2, simulator.Stats.BoundSessions);
        }

        Assert.Equal(2, simulator.Stats.PeakBoundSessions);
    }

    [Fact]
    public async Task Binds_are_refused_with_ESME_RBINDFAIL_until_RefuseBindsUntil_has_passed()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z"));
        await using var simulator = await Sim.StartAsync(Sim.Options() with { TimeProvider = time });
        simulator.Faults.RefuseBindsUntil = time.GetUtcNow().AddSeconds(30);
        await using var client = await RawSmppClient.ConnectAsync(simulator.Port);

        Assert.Equal(CommandStatus.ESME_RBINDFAIL, (await client.RequestAsync(Sim.Transceiver())).CommandStatus);
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(CommandStatus.ESME_ROK, (await client.RequestAsync(Sim.Transceiver())).CommandStatus);
    }

    [Fact]
    public async Task A_second_bind_on_a_bound_session_is_refused_with_ESME_RALYBND()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());

        Assert.Equal(CommandStatus.ESME_RALYBND, (await client.RequestAsync(Sim.Transceiver())).CommandStatus);
    }

    [Fact]
    public async Task Submit_before_bind_is_refused_with_ESME_RINVBNDSTS()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.ConnectAsync(simulator.Port);

        var response = await client.SubmitAsync(Sim.Submit());

        Assert.Equal(CommandStatus.ESME_RINVBNDSTS, response.CommandStatus);
    }

    [Fact]
    public async Task Enquire_link_is_answered_before_and_after_bind()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.ConnectAsync(simulator.Port);

        Assert.IsType<EnquireLinkResp>(await client.RequestAsync(new EnquireLink()));
        await client.RequestAsync(Sim.Transceiver());
        Assert.Equal(CommandStatus.ESME_ROK, Assert.IsType<EnquireLinkResp>(await client.RequestAsync(new EnquireLink())).CommandStatus);
    }

    [Theory]
    [InlineData(InterfaceVersion.V34)]
    [InlineData(InterfaceVersion.V50)]
    public async Task Unbind_is_answered_and_the_connection_closed(byte version)
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver(version));

        var response = await client.RequestAsync(new Unbind());

        Assert.IsType<UnbindResp>(response);
        Assert.Equal(CommandStatus.ESME_ROK, response.CommandStatus);
        Assert.True(await client.ClosedWithinAsync(RawSmppClient.DefaultWait));
        await WaitUntilAsync(() => simulator.Stats.BoundSessions == 0 && simulator.Stats.Connections == 0);
    }

    internal static Task WaitUntilAsync(Func<bool> condition, TimeSpan? wait = null) =>
        Eventually.TrueAsync(condition, "the simulator's state", wait ?? RawSmppClient.DefaultWait);
}
