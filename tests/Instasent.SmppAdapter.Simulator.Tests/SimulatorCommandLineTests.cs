namespace Instasent.SmppAdapter.Simulator.Tests;

/// <summary>The simulator's command line as a shell sees it: what it starts, what it prints, its exit code.</summary>
public class SimulatorCommandLineTests
{
    private const string Name = SimulatorCommandLine.Name;

    [Fact]
    public async Task A_full_command_line_sets_options_faults_and_mo()
    {
        var run = await SimulatorRun.Of(
            "--host", "0.0.0.0", "--port", "2775", "--account", "myuser:mypass", "--account=other:p:w:3",
            "--control-port", "8775", "--receipt-delay", "250ms", "--receipt-mix", "DELIVRD=90,UNDELIV=5,EXPIRED=3,REJECTD=2",
            "--receipt-form", "tlv", "--message-id-format", "hex-decimal", "--tps", "100", "--response-delay", "2s",
            "--drop-connection-after", "50", "--refuse-binds-for", "1m", "--queue-full", "--verbose",
            "--mo-every", "10s", "--mo-text", "Hi", "--mo-segmentation", "sar");

        var parsed = run.Started!;
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

    [Fact]
    public async Task Deliver_attempts_and_retry_delay_set_how_long_a_refused_deliver_sm_is_sent_again()
    {
        var run = await SimulatorRun.Of("--account", "myuser:mypass", "--deliver-attempts", "600", "--deliver-retry-delay", "500ms");

        Assert.Equal(600, run.Started!.Options.MaxDeliverAttempts);
        Assert.Equal(TimeSpan.FromMilliseconds(500), run.Started.Options.DeliverRetryDelay);
    }

    [Fact]
    public async Task An_account_alone_listens_on_loopback_2775_with_the_library_defaults_no_faults_and_no_mo()
    {
        var run = await SimulatorRun.Of("--account", "myuser:mypass");

        var parsed = run.Started!;
        Assert.Equal(0, run.ExitCode);
        Assert.Equal([new SimulatorAccount("myuser", "mypass", MaxBinds: 10)], parsed.Options.Accounts);
        // Accounts aside, the options are SimulatorOptions' own defaults but for the port: the program listens on SMPP's 2775.
        Assert.Equal(new SimulatorOptions { Port = 2775 }, parsed.Options with { Accounts = [] });
        Assert.Null(parsed.ControlPort);
        Assert.Equal("127.0.0.1", parsed.ControlHost);
        Assert.Equal(new FaultSettings(), parsed.Faults);
        Assert.Null(parsed.Mo);
    }

    [Fact]
    public async Task Mo_every_alone_sends_the_default_message_to_the_first_account()
    {
        var run = await SimulatorRun.Of("--account", "first:p", "--account", "second:p", "--mo-every", "30s");

        Assert.Equal(
            new MoSchedule(TimeSpan.FromSeconds(30), "first", "+34600000000", "Instasent", "Hello from the SMSC simulator", MoSegmentation.Udh8),
            run.Started!.Mo);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("-?")]
    public async Task Help_names_every_option_on_standard_output_and_starts_nothing(string help)
    {
        var run = await SimulatorRun.Of(help);

        Assert.Equal(0, run.ExitCode);
        Assert.Null(run.Started);
        Assert.Equal("", run.Error);
        // The names ops/run.sh, ops/load.sh, docker-compose.yml and the READMEs use: renaming one breaks them.
        string[] options =
        [
            "--host", "--port", "--account", "--control-port", "--control-host", "--receipt-delay", "--receipt-mix",
            "--receipt-form", "--message-id-format", "--deliver-attempts", "--deliver-retry-delay", "--verbose", "--tps", "--queue-full", "--response-delay", "--drop-responses",
            "--ignore-enquire-link", "--drop-connection-after", "--malformed-pdu", "--refuse-binds-for", "--mo-every",
            "--mo-account", "--mo-from", "--mo-to", "--mo-text", "--mo-segmentation",
        ];
        Assert.All(options, option => Assert.Contains($"{option} ", run.Out));
    }

    [Theory]
    [InlineData(new[] { "--port", "x", "--account", "a:b" }, "--port 'x' is not a port (0..65535)")]
    [InlineData(new[] { "--port", "2775" }, "no --account given: add at least one, e.g. --account myuser:mypass")]
    [InlineData(new[] { "--account", "nocolon" }, "--account 'nocolon' is not user:pass[:maxBinds]")]
    [InlineData(new[] { "--account", "a:b", "--receipt-delay", "soon" }, "--receipt-delay 'soon' is not a duration (e.g. 250ms, 2s, 1m)")]
    [InlineData(new[] { "--account", "a:b", "--receipt-form", "xml" }, "--receipt-form 'xml' is not one of text, tlv, both")]
    [InlineData(new[] { "--account", "a:b", "--receipt-mix", "DELIVRD=1,LOST=2" }, "--receipt-mix: receipt mix state 'LOST' is not one of DELIVRD, UNDELIV, EXPIRED, REJECTD")]
    [InlineData(new[] { "--account", "a:b", "--tps", "many" }, "--tps 'many' is not a whole number")]
    [InlineData(new[] { "--account", "a:b", "--bogus" }, "Unrecognized command or argument '--bogus'.")]
    [InlineData(new[] { "--account", "a:b", "--tps" }, "Required argument missing for option: '--tps'.")]
    [InlineData(new[] { "--account", "a:toolongpassword" }, "password of 'a' is 15 characters; SMPP allows at most 8")]
    [InlineData(new[] { "--account", "a:b", "--mo-text", "Hi" }, "--mo-account/--mo-from/--mo-to/--mo-text need --mo-every")]
    [InlineData(new[] { "--account", "a:b", "--mo-every", "1s", "--mo-account", "c" }, "--mo-account 'c' is not one of the --account values")]
    public async Task A_bad_argument_exits_2_with_one_line_naming_it_and_starts_nothing(string[] args, string expected)
    {
        var run = await SimulatorRun.Of(args);

        Assert.Equal(SimulatorCommandLine.BadArguments, run.ExitCode);
        Assert.Null(run.Started);
        Assert.Equal("", run.Out);
        Assert.Equal([$"{Name}: {expected}", $"See '{Name} --help'."], run.Error.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>One run of <see cref="SimulatorCommandLine.RunAsync"/> with captured output; <c>Started</c> is what it would have started.</summary>
    private sealed record SimulatorRun(int ExitCode, string Out, string Error, SimulatorCommandLine? Started)
    {
        public static async Task<SimulatorRun> Of(params string[] args)
        {
            var output = new StringWriter();
            var error = new StringWriter();
            SimulatorCommandLine? started = null;
            var exitCode = await SimulatorCommandLine.RunAsync(args, output, error, commandLine =>
            {
                started = commandLine;
                return Task.FromResult(0);
            });
            return new SimulatorRun(exitCode, output.ToString(), error.ToString(), started);
        }
    }
}
