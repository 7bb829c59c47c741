using System.Net.Http.Json;
using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Sessions;
using Instasent.SmppAdapter.Simulator;
using Instasent.Testing;

namespace Instasent.SmppAdapter.Tests.Sessions;

public sealed class SessionPoolTests
{
    [Fact]
    public async Task Binds_the_configured_number_of_sessions_and_publishes_SmppSessionBound_for_each()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(new Dictionary<string, string?> { ["Smpp:Connections:0:Sessions"] = "3" });
        await adapter.UntilAsync(() => adapter.Pool.Snapshot().Count(s => s.State == "Bound") == 3, "three bound sessions");
        Assert.Equal(3, adapter.Smsc.Stats.BoundSessions);
        await adapter.UntilAsync(() => adapter.Published<SmppSessionBound>().Count() == 3, "three SmppSessionBound");
        var bound = adapter.Published<SmppSessionBound>().First();
        Assert.Equal(("instasent", "myuser", "transceiver", "3.4"), (bound.Connection, bound.SystemId, bound.BindType, bound.InterfaceVersion));
    }

    [Fact]
    public async Task TransmitterAndReceiver_binds_a_transmitter_and_a_receiver_per_session()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(new Dictionary<string, string?> { ["Smpp:Connections:0:BindType"] = "TransmitterAndReceiver" });
        await adapter.UntilAsync(() => adapter.Pool.Snapshot().Count(s => s.State == "Bound") == 2, "two bound sessions");
        Assert.Equal(["receiver", "transmitter"], adapter.Pool.Snapshot().Select(s => s.BindType).Order());
    }

    [Fact]
    public async Task Reconnects_after_the_SMSC_drops_every_connection_publishing_SmppSessionUnbound()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        var firstSession = adapter.Pool.Snapshot().Single().SessionId;
        await adapter.Smsc.DropAllConnectionsAsync();

        var unbound = await adapter.PublishedAsync<SmppSessionUnbound>();
        Assert.Equal(firstSession, unbound.SessionId);
        await adapter.UntilAsync(() => adapter.Pool.Snapshot().Single() is { State: "Bound" } s && s.SessionId != firstSession, "a new bound session");
        await adapter.UntilAsync(() => adapter.Published<SmppSessionBound>().Count() >= 2, "a second SmppSessionBound");
    }

    [Fact]
    public async Task Wrong_password_publishes_SmppSessionBindFailed_and_waits_BindFailureDelay_before_binding_again()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(
            new Dictionary<string, string?> { ["Smpp:Connections:0:Password"] = "wrong", ["Smpp:Connections:0:BindFailureDelay"] = "00:00:30" },
            waitForBind: false);
        var failed = await adapter.PublishedAsync<SmppSessionBindFailed>();
        Assert.Equal("ESME_RINVPASWD", failed.CommandStatusName);
        Assert.Equal((int)CommandStatus.ESME_RINVPASWD, failed.CommandStatus);

        // The slot says when it tries again: BindFailureDelay after the refusal, never the 50 ms reconnect delay.
        var waiting = await Eventually.ValueAsync(() => adapter.Pool.Snapshot().SingleOrDefault(s => s.NextBindAt is not null), "the next bind scheduled");
        Assert.InRange(waiting.NextBindAt!.Value - failed.FailedAt, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(31));
        Assert.Equal("bind refused: ESME_RINVPASWD (0x0E)", waiting.LastError);
        Assert.Equal(1, adapter.Pool.Connections.Single().BindAttempts);
    }

    [Fact]
    public async Task Sessions_endpoint_and_readiness_reflect_the_pool()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        using var http = new HttpClient { BaseAddress = adapter.Host.HttpAddresses[0], Timeout = AdapterUnderTest.Wait };

        var sessions = await http.GetFromJsonAsync<List<SessionSnapshot>>("/sessions");
        var session = Assert.Single(sessions!);
        Assert.Equal(("instasent", "transceiver", "Bound", 50, adapter.Smsc.Port), (session.Connection, session.BindType, session.State, session.WindowSize, session.Port));
        Assert.NotNull(session.BoundAt);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);

        adapter.Smsc.Faults.RefuseBindsUntil = DateTimeOffset.UtcNow.AddMinutes(5);
        await adapter.Smsc.DropAllConnectionsAsync();
        await adapter.UntilAsync(() => !adapter.Pool.Connections.Single().HasBoundTransmitter, "the session lost");
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
    }

    [Fact]
    public async Task Metrics_are_scraped_at_metrics()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        using var http = new HttpClient { BaseAddress = adapter.Host.HttpAddresses[0], Timeout = AdapterUnderTest.Wait };
        var text = await http.GetStringAsync("/metrics");
        Assert.Contains("smpp_client_sessions_bound", text, StringComparison.Ordinal);
    }
}
