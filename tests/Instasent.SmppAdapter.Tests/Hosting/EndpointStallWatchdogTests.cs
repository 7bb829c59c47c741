using Instasent.SmppAdapter.Configuration;
using Instasent.SmppAdapter.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Instasent.SmppAdapter.Tests.Hosting;

/// <summary>
/// A MassTransit endpoint that stays unable to consume while the broker answers stops the adapter once
/// <c>RabbitMq:StalledEndpointTimeout</c> has passed, never sooner; a broker outage or an endpoint that comes back restarts
/// the clock.
/// </summary>
public sealed class EndpointStallWatchdogTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly FakeTimeProvider _time = new();
    private readonly FakeEndpoints _endpoints = new();
    private readonly FakeBroker _broker = new();
    private readonly FakeLifetime _lifetime = new();

    private EndpointStallWatchdog Watchdog(TimeSpan? timeout = null) =>
        new(_endpoints, _broker, new RabbitMqOptions { StalledEndpointTimeout = timeout ?? Timeout }, new SendingOptions(), _lifetime, _time, NullLogger<EndpointStallWatchdog>.Instance);

    [Fact]
    public void An_endpoint_down_while_the_broker_answers_is_stalled_once_the_timeout_has_passed_and_not_before()
    {
        var watchdog = Watchdog();
        _endpoints.Down["smpp-send-sms"] = "Not Ready: configuring topology";

        Assert.Null(watchdog.Check());
        _time.Advance(Timeout - TimeSpan.FromTicks(1));
        Assert.Null(watchdog.Check());
        _time.Advance(TimeSpan.FromTicks(1));

        Assert.Equal("smpp-send-sms for 60 s: Not Ready: configuring topology", watchdog.Check());
    }

    [Fact]
    public void While_the_broker_does_not_answer_no_endpoint_is_stalled_and_its_clock_starts_again_once_it_does()
    {
        var watchdog = Watchdog();
        _endpoints.Down["smpp-send-sms"] = "Not Ready";
        Assert.Null(watchdog.Check());
        _time.Advance(Timeout / 2);
        _broker.IsConnected = false;
        Assert.Null(watchdog.Check());
        _time.Advance(Timeout);
        Assert.Null(watchdog.Check());

        _broker.IsConnected = true;
        Assert.Null(watchdog.Check());
        _time.Advance(Timeout - TimeSpan.FromTicks(1));
        Assert.Null(watchdog.Check());
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.NotNull(watchdog.Check());
    }

    [Fact]
    public void An_endpoint_that_consumes_again_restarts_its_clock()
    {
        var watchdog = Watchdog();
        _endpoints.Down["smpp-send-sms.instasent"] = "Not Ready";
        Assert.Null(watchdog.Check());
        _time.Advance(Timeout - TimeSpan.FromSeconds(1));
        _endpoints.Down.Clear();
        Assert.Null(watchdog.Check());
        _endpoints.Down["smpp-send-sms.instasent"] = "Not Ready";
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(watchdog.Check());
        _time.Advance(Timeout - TimeSpan.FromTicks(1));
        Assert.Null(watchdog.Check());
    }

    [Fact]
    public async Task A_stall_stops_the_host_and_turns_liveness_unhealthy_naming_the_endpoint()
    {
        var watchdog = Watchdog();
        _endpoints.Down["smpp-send-sms"] = "Not Ready";
        await watchdog.StartAsync(CancellationToken.None);
        Assert.Equal(HealthStatus.Healthy, (await watchdog.CheckHealthAsync(new HealthCheckContext())).Status);

        // Bounded: one look per interval, until a look past the timeout stops the host.
        for (var i = 0; i < 100 && !_lifetime.StopRequested; i++)
        {
            _time.Advance(watchdog.Interval);
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }

        Assert.True(_lifetime.StopRequested);
        var live = await watchdog.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, live.Status);
        Assert.Contains("smpp-send-sms for 6", live.Description, StringComparison.Ordinal);
        Assert.StartsWith("smpp-send-sms", watchdog.Stalled, StringComparison.Ordinal);
        await watchdog.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_look_that_throws_is_no_stall_and_the_watchdog_goes_on_looking()
    {
        var watchdog = Watchdog();
        _endpoints.Throw = true;
        await watchdog.StartAsync(CancellationToken.None);
        for (var i = 0; i < 20; i++)
        {
            _time.Advance(watchdog.Interval);
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }
        Assert.False(watchdog.ExecuteTask!.IsCompleted);
        Assert.False(_lifetime.StopRequested);

        _endpoints.Throw = false;
        _endpoints.Down["smpp-send-sms"] = "Not Ready";
        for (var i = 0; i < 100 && !_lifetime.StopRequested; i++)
        {
            _time.Advance(watchdog.Interval);
            await Task.Delay(TimeSpan.FromMilliseconds(10));
        }
        Assert.True(_lifetime.StopRequested);
        await watchdog.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_zero_timeout_turns_the_watchdog_off()
    {
        var watchdog = Watchdog(TimeSpan.Zero);
        _endpoints.Down["smpp-send-sms"] = "Not Ready";
        await watchdog.StartAsync(CancellationToken.None);

        // Done at once: nothing is watched (bounded, as every wait here).
        await watchdog.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.False(_lifetime.StopRequested);
        await watchdog.StopAsync(CancellationToken.None);
    }

    private sealed class FakeEndpoints : IEndpointHealthSource
    {
        public Dictionary<string, string> Down { get; } = new(StringComparer.Ordinal);

        public bool Throw { get; set; }

        public IReadOnlyDictionary<string, string> NotConsuming() =>
            Throw ? throw new InvalidOperationException("no bus yet") : new Dictionary<string, string>(Down, StringComparer.Ordinal);
    }

    private sealed class FakeBroker : IBrokerConnectionState
    {
        public bool IsConnected { get; set; } = true;
    }

    private sealed class FakeLifetime : IHostApplicationLifetime
    {
        public bool StopRequested { get; private set; }

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => StopRequested = true;
    }
}
