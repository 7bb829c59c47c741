using System.Net;
using System.Text.Json.Nodes;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;

namespace Instasent.SmppAdapter.IntegrationTests;

/// <summary>The broker is a dependency the adapter waits for, never a reason to stop serving HTTP or to exit.</summary>
[Collection(RabbitMqCollection.Name)]
public sealed class BrokerOutageTests(RabbitMqBroker broker)
{
    [Fact]
    public async Task Started_while_the_broker_is_unreachable_it_is_live_not_ready_and_consumes_once_the_broker_comes()
    {
        await using var proxy = new TcpChaosProxy(new IPEndPoint(IPAddress.Loopback, broker.Uri.Port));
        proxy.RefuseNew(true);
        await using var run = await AdapterOnBroker.StartAsync(broker, waitForBind: false,
            adapterBrokerUri: uri => new UriBuilder(uri) { Port = proxy.Port }.Uri);
        using var http = new HttpClient { BaseAddress = run.Host.HttpAddresses[0], Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
        // The SMPP side binds without the broker; readiness then names the bus alone as what is missing.
        await run.UntilAsync(() => run.Pool["instasent"].HasBoundTransmitter, "the session bound");
        var ready = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var checks = JsonNode.Parse(await ready.Content.ReadAsStringAsync())!["checks"]!.AsObject();
        Assert.Equal("Healthy", checks["smpp-sessions"]!["status"]!.GetValue<string>());
        Assert.Contains(checks, c => c.Key != "smpp-sessions" && c.Value!["status"]!.GetValue<string>() == "Unhealthy");
        Assert.False(run.Gate.IsOpen("instasent"));

        proxy.RefuseNew(false);
        await run.UntilAsync(async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, "ready once the broker is reachable");
        await run.UntilAsync(() => run.Gate.IsOpen("instasent"), "the connection queue consumed");
        await run.Bus.PublishAsync(new SendSms { MessageId = "late-broker-1", From = "Instasent", To = "+34612345678", Text = "hello" });
        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Any(s => s.MessageId == "late-broker-1"), "the command submitted");
    }

    [Fact]
    public async Task Readiness_answers_json_naming_each_connection_its_state_and_last_error()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);
        using var http = new HttpClient { BaseAddress = run.Host.HttpAddresses[0], Timeout = TimeSpan.FromSeconds(30) };
        await run.StopSmscAsync();
        await run.UntilAsync(() => !run.Pool["instasent"].HasBoundTransmitter, "the session lost");

        var response = await http.GetAsync("/health/ready");
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("Unhealthy", body["status"]!.GetValue<string>());
        var connection = body["checks"]!["smpp-sessions"]!["data"]!["instasent"]!;
        Assert.Equal(0, connection["boundSessions"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(connection["lastError"]?.GetValue<string>()));
    }
}
