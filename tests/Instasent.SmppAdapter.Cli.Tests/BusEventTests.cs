using System.Text.Json;
using Instasent.SmppAdapter.Cli;
using Instasent.SmppAdapter.Contracts;

namespace Instasent.SmppAdapter.Cli.Tests;

/// <summary>How <c>events</c> and <c>send</c> print an event: one human line, or one JSON line with its type.</summary>
public sealed class BusEventTests
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_rejection_line_carries_the_command_status_with_its_name()
    {
        var line = BusEvent.Of(new SmsRejected
        {
            MessageId = "m-1", Reason = "invalid destination", CommandStatus = 0x58, CommandStatusName = "ESME_RTHROTTLED", Permanent = false,
            Connection = "instasent", RejectedAt = At,
        }).ToString();

        Assert.Contains(" rejected ", line);
        Assert.Contains("m-1 ESME_RTHROTTLED (0x58) temporary connection=instasent reason=\"invalid destination\"", line);
    }

    [Fact]
    public void A_session_line_names_the_connection_and_the_smsc()
    {
        var line = BusEvent.Of(new SmppSessionBindFailed
        {
            Connection = "instasent", SessionId = "s-2", SystemId = "myuser", BindType = "transceiver", InterfaceVersion = "3.4",
            Host = "smpp.instasent.com", Port = 2775, FailedAt = At, CommandStatus = 0x0E, CommandStatusName = "ESME_RINVPASWD",
            Reason = "bind refused",
        }).ToString();

        Assert.Contains(" session-bind-failed ", line);
        Assert.Contains("instasent session=s-2 ESME_RINVPASWD (0x0E) smsc=smpp.instasent.com:2775", line);
    }

    [Fact]
    public void The_json_line_is_the_camel_case_event_under_its_type()
    {
        var json = BusEvent.Of(new InboundSmsReceived
        {
            From = "+34600000001", To = "Instasent", Text = "STOP", ReceivedAt = At, Segments = 1, Connection = "instasent",
        }).ToJson();

        var root = JsonDocument.Parse(json).RootElement;
        Assert.Equal("inbound", root.GetProperty("type").GetString());
        Assert.Equal("STOP", root.GetProperty("message").GetProperty("text").GetString());
        Assert.False(root.GetProperty("message").TryGetProperty("smscMessageId", out _), "nulls are left out");
    }
}
