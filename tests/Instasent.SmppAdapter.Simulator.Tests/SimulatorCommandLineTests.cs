using Instasent.SmppAdapter.Simulator;

namespace Instasent.SmppAdapter.Simulator.Tests;

public class SimulatorCommandLineTests
{
    [Fact]
    public void A_full_command_line_sets_options_faults_and_mo()
    {
        var parsed = SimulatorCommandLine.Parse([
            "--host", "0.0.0.0", "--port", "2775", "--account", "myuser:mypass", "--account=other:p:w:3",
            "--control-port", "8775", "--receipt-delay", "250ms", "--receipt-mix", "DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2",
            "--receipt-form", "tlv", "--message-id-format", "hex-decimal", "--tps", "100", "--response-delay", "2s",
            "--drop-connection-after", "50", "--refuse-binds-for", "1m", "--queue-full", "--verbose",
            "--mo-every", "10s", "--mo-text", "Hi", "--mo-segmentation", "sar",
        ]);

        Assert.Equal("0.0.0.0", parsed.Options.Host);
        Assert.Equal(2775, parsed.Options.Port);
        Assert.Equal([new SimulatorAccount("myuser", "mypass"), new SimulatorAccount("other", "p:w", 3)], parsed.Options.Accounts);
        Assert.Equal(8775, parsed.ControlPort);
        Assert.Equal(TimeSpan.FromMilliseconds(250), parsed.Options.ReceiptDelay);
        Assert.Equal(new ReceiptMix(90, 5, 3, 2), parsed.Options.ReceiptMix);
        Assert.Equal(ReceiptForm.Tlv, parsed.Options.ReceiptForm);
        Assert.Equal(SimulatorMessageIdFormat.HexInResponseDecimalInReceipt, parsed.Options.MessageIdFormat);
        Assert.True(parsed.Options.Verbose);
        Assert.Equal(new FaultSettings
        {
            MaxSubmitsPerSecond = 100, ResponseDelay = TimeSpan.FromSeconds(2), DropConnectionAfterPdus = 50,
            RefuseBindsFor = TimeSpan.FromMinutes(1), QueueFull = true,
        }, parsed.Faults);
        Assert.Equal(new MoSchedule(TimeSpan.FromSeconds(10), "myuser", "+34600000000", "Instasent", "Hi", MoSegmentation.Sar), parsed.Mo);
    }

    [Theory]
    [InlineData(new[] { "--port", "x", "--account", "a:b" }, "--port 'x' is not a port (0..65535)")]
    [InlineData(new[] { "--port", "2775" }, "no --account given: add at least one, e.g. --account myuser:mypass")]
    [InlineData(new[] { "--account", "nocolon" }, "--account 'nocolon' is not user:pass[:maxBinds]")]
    [InlineData(new[] { "--account", "a:b", "--receipt-delay", "soon" }, "--receipt-delay 'soon' is not a duration (e.g. 250ms, 2s, 1m)")]
    [InlineData(new[] { "--account", "a:b", "--receipt-form", "xml" }, "--receipt-form 'xml' is not one of text, tlv, both")]
    [InlineData(new[] { "--account", "a:b", "--receipt-mix", "DELIVRD=1,LOST=2" }, "--receipt-mix: receipt mix state 'LOST' is not one of DELIVRD, UNDELIV, EXPIRED, REJECTD")]
    [InlineData(new[] { "--account", "a:b", "--bogus" }, "unknown option '--bogus'")]
    [InlineData(new[] { "--account", "a:b", "--tps" }, "--tps needs a value")]
    [InlineData(new[] { "--account", "a:toolongpassword" }, "password of 'a' is 15 characters; SMPP allows at most 8")]
    public void A_bad_argument_gets_one_clear_line(string[] args, string expected)
    {
        var error = Assert.Throws<CommandLineException>(() => SimulatorCommandLine.Parse(args));

        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public void Help_is_recognised()
    {
        Assert.True(SimulatorCommandLine.Parse(["--help"]).Help);
    }
}
