using System.Text.Json.Serialization;
using Instasent.Smpp.Messages;
using Instasent.Smpp.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Instasent.SmppAdapter.Simulator;

/// <summary>The JSON body of <c>POST /mo</c>. <c>dataCoding</c> 0, 3 or 8, or absent to choose GSM 7-bit or UCS-2.</summary>
public sealed record MoRequest(string SystemId, string From, string To, string Text, byte? DataCoding = null, MoSegmentation Segmentation = MoSegmentation.Udh8);

/// <summary>A submit_sm as <c>GET /submits</c> shows it: the fields, short_message in hex and decoded, the TLVs in hex.</summary>
public sealed record SubmitView(
    string MessageId, string SystemId, long ConnectionId, DateTimeOffset ReceivedAt,
    string SourceAddr, string DestinationAddr, byte EsmClass, byte RegisteredDelivery, byte DataCoding,
    string ShortMessageHex, string Text, IReadOnlyDictionary<string, string> Tlvs)
{
    public static SubmitView From(ReceivedSubmit s)
    {
        var bytes = SubmitRules.Body(s.Pdu);
        var offset = UserDataHeader.GetTextOffset(s.EsmClass, bytes.Span, out _);
        return new SubmitView(s.MessageId, s.SystemId, s.ConnectionId, s.ReceivedAt, s.SourceAddr, s.DestinationAddr,
            s.EsmClass, s.RegisteredDelivery, s.DataCoding, Convert.ToHexString(s.ShortMessage.Span),
            SmsText.Decode(s.DataCoding, bytes.Span[offset..]),
            s.Tlvs.ToDictionary(t => $"0x{t.Tag:X4}", t => Convert.ToHexString(t.Value.Span)));
    }
}

/// <summary>
/// A small HTTP control interface (loopback by default) so tests, scripts and the demo can drive a running simulator:
/// <c>GET /stats</c>, <c>GET /faults</c>, <c>POST /faults</c>, <c>POST /faults/reset</c>, <c>POST /mo</c>,
/// <c>POST /drop-connections</c>, <c>GET /submits?last=N</c>, <c>GET /accepted-segments</c>. Enums travel as names, durations as <c>hh:mm:ss.fff</c>.
/// </summary>
public static class ControlApi
{
    /// <summary>A web application serving the control API on <paramref name="host"/>:<paramref name="port"/> (0 picks one; see <see cref="Address"/>).</summary>
    public static WebApplication Create(SmscSimulator simulator, int port, string host = "127.0.0.1")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(simulator.Options.LoggerFactory);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        builder.WebHost.UseUrls($"http://{host}:{port}");
        var app = builder.Build();
        Map(app, simulator);
        return app;
    }

    /// <summary>The address the started <paramref name="app"/> listens on.</summary>
    public static Uri Address(WebApplication app) =>
        new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static void Map(IEndpointRouteBuilder app, SmscSimulator simulator)
    {
        app.MapGet("/stats", () => simulator.Stats);
        app.MapGet("/faults", () => simulator.Faults.Snapshot());
        app.MapPost("/faults", (FaultSettings update) =>
        {
            simulator.Faults.Apply(update, simulator.Options.TimeProvider);
            return simulator.Faults.Snapshot();
        });
        app.MapPost("/faults/reset", () =>
        {
            simulator.Faults.Reset();
            return simulator.Faults.Snapshot();
        });
        app.MapPost("/mo", async (MoRequest request, CancellationToken cancellationToken) =>
        {
            if (request.DataCoding is not (null or DataCodings.Gsm7 or DataCodings.Latin9 or DataCodings.Ucs2))
            {
                return Results.BadRequest(new { error = $"dataCoding {request.DataCoding} is not 0 (GSM 7-bit), 3 (Latin-9) or 8 (UCS-2)" });
            }

            try
            {
                var mo = await simulator.InjectMoAsync(request.SystemId, request.From, request.To, request.Text,
                    (SmsAlphabet?)request.DataCoding, request.Segmentation, cancellationToken).ConfigureAwait(false);
                return Results.Accepted(value: new { segments = mo.Segments.Count, dataCoding = mo.Segments[0].DataCoding });
            }
            catch (Exception e) when (e is ArgumentException or UnencodableCharacterException or MessageTooLongException)
            {
                return Results.BadRequest(new { error = e.Message });
            }
        });
        app.MapPost("/drop-connections", async () =>
        {
            var before = simulator.Stats.Connections;
            await simulator.DropAllConnectionsAsync().ConfigureAwait(false);
            return new { dropped = before };
        });
        app.MapGet("/submits", (int? last) => simulator.RecentSubmits(last ?? 100).Select(SubmitView.From).ToList());
        app.MapGet("/accepted-segments", () => simulator.AcceptedSegments());
    }
}
