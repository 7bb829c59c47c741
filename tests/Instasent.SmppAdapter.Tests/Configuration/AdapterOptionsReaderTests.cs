using Instasent.Smpp.Messages;
using Instasent.Smpp.Pdus;
using Instasent.SmppAdapter.Configuration;
using Microsoft.Extensions.Configuration;

namespace Instasent.SmppAdapter.Tests.Configuration;

public sealed class AdapterOptionsReaderTests
{
    [Fact]
    public void Defaults_follow_the_documented_keys()
    {
        var options = TestConfig.Options();
        var c = Assert.Single(options.Connections);
        Assert.Equal("instasent", c.Name);
        Assert.Equal(ConnectionBindType.Transceiver, c.BindType);
        Assert.Equal(2, c.Sessions);
        Assert.Equal(50, c.WindowSize);
        Assert.Equal(TimeSpan.FromSeconds(30), c.EnquireLinkInterval);
        Assert.Equal(TimeSpan.FromMinutes(5), c.BindFailureDelay);
        Assert.Equal(SegmentationMode.Udh8, c.Segmentation);
        Assert.Equal(10, c.MaxSegments);
        Assert.Equal(new Uri("amqp://guest:guest@127.0.0.1:5672/"), options.RabbitMq.Uri);
        Assert.Equal("smpp-send-sms.instasent", c.QueueName);
    }

    [Fact]
    public void Every_key_is_read()
    {
        var options = TestConfig.Options(new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:BindType"] = "TransmitterAndReceiver",
            ["Smpp:Connections:0:InterfaceVersion"] = "5.0",
            ["Smpp:Connections:0:Sessions"] = "3",
            ["Smpp:Connections:0:WindowSize"] = "10",
            ["Smpp:Connections:0:MaxSubmitsPerSecond"] = "100",
            ["Smpp:Connections:0:ReconnectDelayMin"] = "00:00:00.050",
            ["Smpp:Connections:0:ReconnectDelayMax"] = "00:00:00.500",
            ["Smpp:Connections:0:Segmentation"] = "Sar",
            ["Smpp:Connections:0:MessageIdFormat"] = "HexToDecimal",
            ["Smpp:Connections:0:UnknownOutcome"] = "Report",
            ["Smpp:Connections:0:Source:Ton"] = "2",
            ["Smpp:Connections:0:Destination:KeepPlus"] = "true",
            ["RabbitMq:PrefetchCount"] = "20",
            ["Telemetry:ConsoleExporter"] = "true",
        });
        var c = options.Connections[0];
        Assert.Equal(ConnectionBindType.TransmitterAndReceiver, c.BindType);
        Assert.Equal(InterfaceVersion.V50, c.InterfaceVersionByte);
        Assert.Equal(3, c.Sessions);
        Assert.Equal(10, c.WindowSize);
        Assert.Equal(100, c.MaxSubmitsPerSecond);
        Assert.Equal(TimeSpan.FromMilliseconds(50), c.ReconnectDelayMin);
        Assert.Equal(SegmentationMode.Sar, c.Segmentation);
        Assert.Equal(MessageIdFormat.HexToDecimal, c.MessageIdFormat);
        Assert.Equal(UnknownOutcomePolicy.Report, c.UnknownOutcome);
        Assert.Equal(Ton.National, c.Source.Ton);
        Assert.True(c.Destination.KeepPlus);
        Assert.Equal(20, options.RabbitMq.PrefetchCount);
        Assert.True(options.Telemetry.ConsoleExporter);
    }

    [Fact]
    public void Environment_variable_names_reach_the_keys()
    {
        Environment.SetEnvironmentVariable("ADAPTERTEST_Smpp__Connections__0__Password", "fromenv");
        try
        {
            var configuration = new ConfigurationBuilder()
                .AddConfiguration(TestConfig.Build())
                .AddEnvironmentVariables("ADAPTERTEST_")
                .Build();
            Assert.Equal("fromenv", AdapterOptionsBinding.Load(configuration).Connections[0].Password);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ADAPTERTEST_Smpp__Connections__0__Password", null);
        }
    }

    [Fact]
    public void Password_is_read_from_PasswordFile_without_its_trailing_newline()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "filepw\n");
            var options = TestConfig.Options(new Dictionary<string, string?>
            {
                ["Smpp:Connections:0:Password"] = null,
                ["Smpp:Connections:0:PasswordFile"] = file,
            });
            Assert.Equal("filepw", options.Connections[0].Password);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Every_problem_is_reported_on_its_own_line_naming_key_rule_and_value()
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:WindowSize"] = "0",
            ["Smpp:Connections:0:Password"] = "",
            ["Smpp:Connections:0:Segmentation"] = "Udh9",
            ["Smpp:Connections:0:ResponseTimeout"] = "soon",
            ["RabbitMq:Uri"] = "http://user:secret@host/",
        }));
        Assert.Contains("Smpp:Connections:0:WindowSize must be 1..1000 (was 0)", e.Problems);
        Assert.Contains(e.Problems, p => p.StartsWith("Smpp:Connections:0:Password (or PasswordFile) is required", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("Smpp:Connections:0:Segmentation must be one of Udh8 | Udh16 | MessagePayload | Sar (was Udh9)", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("Smpp:Connections:0:ResponseTimeout must be a duration", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("RabbitMq:Uri must be an amqp://", StringComparison.Ordinal) && !p.Contains("secret", StringComparison.Ordinal));
        Assert.Equal(5, e.Problems.Count);
    }

    [Fact]
    public void MaxHandBacks_defaults_to_10_and_must_be_0_to_1000()
    {
        Assert.Equal(10, TestConfig.Options().Sending.MaxHandBacks);
        Assert.Equal(0, TestConfig.Options(new Dictionary<string, string?> { ["Adapter:MaxHandBacks"] = "0" }).Sending.MaxHandBacks);
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?> { ["Adapter:MaxHandBacks"] = "1001" }));
        Assert.Equal(["Adapter:MaxHandBacks must be 0..1000 (was 1001)"], e.Problems);
    }

    [Fact]
    public void Passwords_never_appear_in_problems_or_ToString()
    {
        var e = Assert.Throws<AdapterConfigurationException>(() => TestConfig.Options(new Dictionary<string, string?>
        {
            ["Smpp:Connections:0:Password"] = "waytoolongpassword",
        }));
        Assert.DoesNotContain("waytoolongpassword", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("mypass", TestConfig.Options().Connections[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_configuration_without_connections_is_refused()
    {
        var configuration = new ConfigurationBuilder().Build();
        var e = Assert.Throws<AdapterConfigurationException>(() => AdapterOptionsBinding.Load(configuration));
        Assert.Contains(e.Problems, p => p.StartsWith("Smpp:Connections must hold at least one connection", StringComparison.Ordinal));
    }
}

public sealed class AdapterHostExitCodeTests
{
    [Fact]
    public async Task Invalid_configuration_exits_with_code_2_and_one_line_per_problem()
    {
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        int code;
        try
        {
            code = await AdapterHost.RunAsync(["--Smpp:Connections:0:SystemId=u", "--Smpp:Connections:0:Password=p", "--Smpp:Connections:0:WindowSize=0"]);
        }
        finally
        {
            Console.SetError(previous);
        }
        Assert.Equal(2, code);
        Assert.Contains("Smpp:Connections:0:WindowSize must be 1..1000 (was 0)", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }
}
