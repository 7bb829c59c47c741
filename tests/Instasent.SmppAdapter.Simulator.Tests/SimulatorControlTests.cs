using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Simulator;
using Microsoft.AspNetCore.Builder;

namespace Instasent.SmppAdapter.Simulator.Tests;

public class SimulatorControlTests
{
    [Fact]
    public async Task The_control_api_sets_faults_injects_mo_lists_submits_reports_stats_and_drops_connections()
    {
        await using var simulator = await Sim.StartAsync();
        await using var control = await StartControlAsync(simulator);
        using var http = Http(control);
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());

        (await http.PostAsJsonAsync("/faults", new { queueFull = true, responseDelay = "00:00:00" })).EnsureSuccessStatusCode();
        Assert.Equal(CommandStatus.ESME_RMSGQFUL, (await client.SubmitAsync(Sim.Submit(registeredDelivery: 0))).CommandStatus);
        var faults = await http.GetFromJsonAsync<JsonElement>("/faults");
        Assert.True(faults.GetProperty("queueFull").GetBoolean());

        (await http.PostAsync("/faults/reset", null)).EnsureSuccessStatusCode();
        var accepted = await client.SubmitAsync(Sim.Submit(registeredDelivery: 0));
        Assert.Equal(CommandStatus.ESME_ROK, accepted.CommandStatus);

        var submits = await http.GetFromJsonAsync<JsonElement>("/submits?last=1");
        Assert.Equal(accepted.MessageId, submits[0].GetProperty("messageId").GetString());
        Assert.Equal("Hello", submits[0].GetProperty("text").GetString());

        var mo = await http.PostAsJsonAsync("/mo", new { systemId = Sim.User, from = "+34600111222", to = "Instasent", text = "Hola", segmentation = "Udh16" });
        Assert.Equal(HttpStatusCode.Accepted, mo.StatusCode);
        var deliver = await client.ExpectAsync<DeliverSm>();
        Assert.Equal("Hola", Instasent.Smpp.Text.SmsText.Decode(deliver.DataCoding, deliver.ShortMessage.Span));

        var stats = await http.GetFromJsonAsync<JsonElement>("/stats");
        Assert.Equal(1, stats.GetProperty("submitsAccepted").GetInt64());
        Assert.Equal(1, stats.GetProperty("submitsRefused").GetProperty("ESME_RMSGQFUL").GetInt64());
        Assert.Equal(1, stats.GetProperty("moSent").GetInt64());

        (await http.PostAsync("/drop-connections", null)).EnsureSuccessStatusCode();
        Assert.True(await client.ClosedWithinAsync(RawSmppClient.DefaultWait));
    }

    [Fact]
    public async Task The_control_api_sets_the_submit_faults_by_name_and_lists_accepted_segments()
    {
        await using var simulator = await Sim.StartAsync();
        await using var control = await StartControlAsync(simulator);
        using var http = Http(control);
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());

        (await http.PostAsJsonAsync("/faults", new { genericNackNext = 1, genericNackStatus = "ESME_RMSGQFUL", refuseSegment = 2, overlongMessageIds = false })).EnsureSuccessStatusCode();
        var nack = await client.RequestAsync(Sim.Submit(registeredDelivery: 0));
        await client.SubmitAsync(Sim.Submit(registeredDelivery: 0));

        Assert.Equal(CommandStatus.ESME_RMSGQFUL, Assert.IsType<GenericNack>(nack).CommandStatus);
        var faults = await http.GetFromJsonAsync<JsonElement>("/faults");
        Assert.Equal(2, faults.GetProperty("refuseSegment").GetInt32());
        Assert.Equal("ESME_RINVDSTADR", faults.GetProperty("refuseSegmentStatus").GetString());
        var segments = await http.GetFromJsonAsync<JsonElement>("/accepted-segments");
        Assert.Equal("34676388300", segments[0].GetProperty("destinationAddr").GetString());
        Assert.Equal(JsonValueKind.Null, segments[0].GetProperty("reference").ValueKind);
        Assert.Equal(1, segments[0].GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task The_control_api_answers_400_with_the_reason_for_an_mo_it_cannot_send()
    {
        await using var simulator = await Sim.StartAsync();
        await using var control = await StartControlAsync(simulator);
        using var http = Http(control);

        var response = await http.PostAsJsonAsync("/mo", new { systemId = "nobody", from = "+34600111222", to = "Instasent", text = "Hola" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("nobody", await response.Content.ReadAsStringAsync());
    }

    private static async Task<WebApplication> StartControlAsync(SmscSimulator simulator)
    {
        var control = ControlApi.Create(simulator, port: 0);
        await control.StartAsync();
        return control;
    }

    private static HttpClient Http(WebApplication control) => new() { BaseAddress = ControlApi.Address(control), Timeout = RawSmppClient.DefaultWait };
}
