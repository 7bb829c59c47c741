using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Instasent.Smpp.Client;
using Instasent.Smpp.Pdus;
using static Instasent.Smpp.Tests.Client.ClientTestSupport;

namespace Instasent.Smpp.Tests.Client;

public class SessionTelemetryTests
{
    [Fact]
    public async Task Submit_sm_span_is_a_child_of_the_callers_activity_with_masked_destination_and_message_id()
    {
        var connectionName = $"telemetry-{Guid.NewGuid():N}";
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is SmppTelemetry.ActivitySourceName or "test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("smpp.connection") as string == connectionName)
                {
                    stopped.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        using var testSource = new ActivitySource("test");
        await using var smsc = ScriptedSmsc.Start();
        smsc.SubmitResponder = s => new SubmitSmResp { SequenceNumber = s.SequenceNumber, MessageId = "abc123" };
        var (session, _) = await ConnectAsync(smsc, smsc.Options(connectionName));

        using (var parent = testSource.StartActivity("consume SendSms"))
        {
            await session.SubmitAsync(Submit()).AsTask().WaitAsync(Wait);
            var submit = Assert.Single(stopped, a => a.OperationName == "smpp submit_sm");
            Assert.Equal(parent!.SpanId, submit.ParentSpanId);
            Assert.Equal(ActivityKind.Client, submit.Kind);
            Assert.Equal("+34*******00", submit.GetTagItem("smpp.destination_addr"));
            Assert.Equal("abc123", submit.GetTagItem("smpp.message_id"));
            Assert.Equal("ESME_ROK", submit.GetTagItem("smpp.command_status"));
            Assert.NotNull(submit.GetTagItem("smpp.sequence_number"));
        }
        await session.CloseAsync().WaitAsync(Wait);

        Assert.Contains(stopped, a => a.OperationName == "smpp bind_transceiver");
        Assert.Contains(stopped, a => a.OperationName == "smpp unbind");
        Assert.DoesNotContain(stopped, a => a.Tags.Any(t => t.Value?.Contains("secret") == true));
    }

    [Fact]
    public async Task Metrics_count_pdus_binds_bound_sessions_and_window_with_the_connection_tag()
    {
        var connectionName = $"metrics-{Guid.NewGuid():N}";
        var measurements = new ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        var durations = new ConcurrentQueue<double>();
        using var meterListener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == SmppTelemetry.MeterName)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var map = new Dictionary<string, object?>();
            foreach (var tag in tags)
            {
                map[tag.Key] = tag.Value;
            }

            if (map.GetValueOrDefault("smpp.connection") as string == connectionName)
            {
                measurements.Enqueue((instrument.Name, value, map));
            }
        });
        meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "smpp.connection" && tag.Value as string == connectionName && instrument.Name == "smpp.client.request.duration")
                {
                    durations.Enqueue(value);
                }
            }
        });
        meterListener.Start();
        await using var smsc = ScriptedSmsc.Start();
        smsc.SubmitResponder = s => s.CreateResponse(CommandStatus.ESME_RTHROTTLED);
        var (session, _) = await ConnectAsync(smsc, smsc.Options(connectionName) with { WindowSize = 7 });

        await session.SubmitAsync(Submit()).AsTask().WaitAsync(Wait);
        await session.CloseAsync().WaitAsync(Wait);

        long Sum(string instrument, Func<Dictionary<string, object?>, bool>? match = null) =>
            measurements.Where(m => m.Instrument == instrument && (match is null || match(m.Tags))).Sum(m => m.Value);
        Assert.Equal(1, Sum("smpp.client.binds", t => (string?)t["smpp.command_status"] == "ESME_ROK" && (string?)t["smpp.bind_type"] == "transceiver"));
        Assert.Equal(1, measurements.Count(m => m.Instrument == "smpp.client.sessions.bound" && m.Value == 1));
        Assert.Equal(0, Sum("smpp.client.sessions.bound"));
        Assert.Contains(measurements, m => m.Instrument == "smpp.client.window.size" && m.Value == 7);
        Assert.Equal(0, Sum("smpp.client.window.size"));
        Assert.Equal(0, Sum("smpp.client.window.in_use"));
        Assert.Equal(1, Sum("smpp.client.pdus", t => (string?)t["smpp.command"] == "submit_sm" && (string?)t["smpp.direction"] == "sent"));
        Assert.Equal(1, Sum("smpp.client.pdus", t => (string?)t["smpp.command"] == "submit_sm_resp" && (string?)t["smpp.direction"] == "received"
            && (string?)t["smpp.command_status"] == "ESME_RTHROTTLED"));
        Assert.Equal(1, Sum("smpp.client.throttled", t => (string?)t["smpp.command_status"] == "ESME_RTHROTTLED"));
        Assert.NotEmpty(durations);
    }

    [Theory]
    [InlineData("+34676388300", "+34*******00")]
    [InlineData("34676388300", "34*******00")]
    [InlineData("+14155550123", "+1********23")]
    [InlineData("+351912345678", "+351*******78")]
    [InlineData("Instasent", "*********")]
    [InlineData("12345", "*****")]
    public void Phone_numbers_keep_only_the_country_code_and_the_last_two_digits(string address, string masked) =>
        Assert.Equal(masked, SmppTelemetry.MaskPhoneNumber(address));
}
