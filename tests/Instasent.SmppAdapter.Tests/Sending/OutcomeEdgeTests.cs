using Instasent.SmppAdapter.Contracts;
using MassTransit;
using MassTransit.Serialization;

namespace Instasent.SmppAdapter.Tests.Sending;

public sealed class OutcomeEdgeTests
{
    private static readonly Dictionary<string, string?> FastTimeout = new() { ["Smpp:Connections:0:ResponseTimeout"] = "00:00:00.300" };

    private static SendSms Command(string id, string text = "Hello") => new() { MessageId = id, From = "Instasent", To = "+34600000001", Text = text };

    [Fact]
    public async Task Unanswered_segment_is_resent_when_UnknownOutcome_is_Resend()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(FastTimeout);
        adapter.Smsc.Faults.DropResponses = true;
        await adapter.SendAsync(Command("unknown-1"));
        await adapter.UntilAsync(() => adapter.Smsc.Stats.SubmitsUnanswered >= 1, "a swallowed submit_sm");
        adapter.Smsc.Faults.DropResponses = false;

        var submitted = await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "unknown-1");
        Assert.Single(submitted.SmscMessageIds);
        Assert.Empty(adapter.Published<SmsRejected>());
    }

    [Fact]
    public async Task Unanswered_segment_is_reported_not_permanent_when_UnknownOutcome_is_Report()
    {
        await using var adapter = await AdapterUnderTest.StartAsync(new Dictionary<string, string?>(FastTimeout) { ["Smpp:Connections:0:UnknownOutcome"] = "Report" });
        adapter.Smsc.Faults.DropResponses = true;
        await adapter.SendAsync(Command("unknown-2"));

        var rejected = await adapter.PublishedAsync<SmsRejected>(m => m.MessageId == "unknown-2");
        Assert.False(rejected.Permanent);
        Assert.Contains("outcome unknown", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(1, adapter.Smsc.Stats.SubmitsUnanswered);
    }

    [Fact]
    public async Task Plain_json_command_with_application_json_content_type_is_accepted()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        var endpoint = await adapter.Harness.Bus.GetSendEndpoint(new Uri($"queue:{SendSms.QueueName}"));
        await endpoint.Send(Command("raw-1"), (SendContext<SendSms> send) =>
            send.Serializer = new SystemTextJsonRawMessageSerializer(RawSerializerOptions.AnyMessageType));

        await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "raw-1");
        Assert.Contains(adapter.Sent<SendSms>(), s => s.Message.MessageId == "raw-1");
    }

    [Fact]
    public async Task Stopping_finishes_the_segment_on_the_wire_then_unbinds_every_session()
    {
        var adapter = await AdapterUnderTest.StartAsync(new Dictionary<string, string?> { ["Smpp:Connections:0:Sessions"] = "2" });
        try
        {
            adapter.Smsc.Faults.ResponseDelay = TimeSpan.FromMilliseconds(400);
            await adapter.SendAsync(Command("stop-1"));
            await adapter.UntilAsync(() => adapter.Pool.Snapshot().Sum(s => s.WindowInUse) == 1, "the submit_sm on the wire");

            using var timeout = new CancellationTokenSource(AdapterUnderTest.Wait);
            await adapter.Host.StopAsync(timeout.Token);

            Assert.Contains(adapter.Published<SmsSubmitted>(), m => m.MessageId == "stop-1");
            Assert.All(adapter.Pool.Snapshot(), s => Assert.Null(s.SessionId));
            await adapter.UntilAsync(() => adapter.Smsc.Stats.BoundSessions == 0, "the simulator to see every session unbound");
        }
        finally
        {
            await adapter.DisposeAsync();
        }
    }
}
