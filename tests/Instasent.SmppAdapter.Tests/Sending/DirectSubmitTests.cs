using Instasent.SmppAdapter.Contracts;

namespace Instasent.SmppAdapter.Tests.Sending;

/// <summary>
/// With one connection configured, smpp-send-sms's consumer submits a command itself while the connection's queue is
/// open, instead of sending it on to smpp-send-sms.&lt;connection&gt; (Adapter:DirectSubmit).
/// </summary>
public sealed class DirectSubmitTests
{
    private static SendSms Command(string id) => new() { MessageId = id, From = "Instasent", To = "+34600000001", Text = "Hello" };

    [Theory]
    [InlineData(true, 1)]
    [InlineData(false, 2)]
    public async Task With_one_connection_bound_a_command_is_sent_over_the_bus_once_unless_DirectSubmit_is_off(bool directSubmit, int sends)
    {
        await using var adapter = await AdapterUnderTest.StartAsync(new Dictionary<string, string?> { ["Adapter:DirectSubmit"] = directSubmit.ToString() });
        await adapter.SendAsync(Command("direct-1"));

        var submitted = await adapter.PublishedAsync<SmsSubmitted>(m => m.MessageId == "direct-1");

        // The router's forward, when there is one, is sent before the outcome can be published.
        Assert.Equal(sends, adapter.Sent<SendSms>().Count(s => s.Message.MessageId == "direct-1"));
        Assert.Single(adapter.Smsc.RecentSubmits(), s => s.MessageId == submitted.SmscMessageIds[0]);
    }

    [Fact]
    public async Task Bad_input_is_rejected_by_the_direct_consumer_without_a_forward()
    {
        await using var adapter = await AdapterUnderTest.StartAsync();
        await adapter.SendAsync(Command("direct-bad") with { To = "" });

        var rejected = await adapter.PublishedAsync<SmsRejected>(m => m.MessageId == "direct-bad");

        Assert.Equal(RejectionCodes.InvalidInput, rejected.Code);
        Assert.Single(adapter.Sent<SendSms>(), s => s.Message.MessageId == "direct-bad");
    }

    [Theory]
    [InlineData(1, null, true)]
    [InlineData(1, "false", false)]
    [InlineData(2, null, false)]
    [InlineData(2, "true", false)]
    public void DirectSubmit_applies_only_with_one_connection_and_the_setting_on(int connections, string? setting, bool direct)
    {
        var config = new Dictionary<string, string?> { ["Adapter:DirectSubmit"] = setting };
        if (connections == 2)
        {
            config["Smpp:Connections:1:Name"] = "backup";
            config["Smpp:Connections:1:SystemId"] = "backup";
            config["Smpp:Connections:1:Password"] = "backup";
        }

        Assert.Equal(direct, TestConfig.Options(config).DirectSubmit);
    }
}
