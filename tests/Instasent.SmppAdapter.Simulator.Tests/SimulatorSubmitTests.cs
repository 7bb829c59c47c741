using System.Globalization;
using System.Threading.Channels;
using Instasent.Smpp.Pdus;
using Instasent.Smpp.Text;
using Instasent.SmppAdapter.Simulator;
using Microsoft.Extensions.Time.Testing;

namespace Instasent.SmppAdapter.Simulator.Tests;

public class SimulatorSubmitTests
{
    [Theory]
    [InlineData("ABC")]
    [InlineData("Instasent11")]
    [InlineData("34600000000")]
    public async Task Submit_with_a_source_of_3_to_11_characters_is_accepted(string source)
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        var submit = Sim.Submit();
        submit.SourceAddr = source;

        var response = await client.SubmitAsync(submit);

        Assert.Equal(CommandStatus.ESME_ROK, response.CommandStatus);
        Assert.NotEmpty(response.MessageId);
    }

    [Theory]
    [InlineData("AB")]
    [InlineData("Instasent123")]
    [InlineData("")]
    public async Task Submit_with_a_source_outside_3_to_11_characters_is_refused_with_ESME_RINVSRCADR(string source)
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        var submit = Sim.Submit();
        submit.SourceAddr = source;

        Assert.Equal(CommandStatus.ESME_RINVSRCADR, (await client.SubmitAsync(submit)).CommandStatus);
    }

    [Theory]
    [InlineData("+34676388300", CommandStatus.ESME_ROK)]
    [InlineData("34676388300", CommandStatus.ESME_ROK)]
    [InlineData("0034676388300", CommandStatus.ESME_RINVDSTADR)]
    [InlineData("+34-676-388", CommandStatus.ESME_RINVDSTADR)]
    [InlineData("123456", CommandStatus.ESME_RINVDSTADR)]
    [InlineData("1234567890123456", CommandStatus.ESME_RINVDSTADR)]
    [InlineData("Instasent", CommandStatus.ESME_RINVDSTADR)]
    public async Task Destination_must_be_E164(string destination, CommandStatus expected)
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        var submit = Sim.Submit();
        submit.DestinationAddr = destination;

        Assert.Equal(expected, (await client.SubmitAsync(submit)).CommandStatus);
    }

    [Theory]
    [InlineData(DataCodings.Gsm7, InterfaceVersion.V34, CommandStatus.ESME_ROK)]
    [InlineData(DataCodings.Latin9, InterfaceVersion.V34, CommandStatus.ESME_ROK)]
    [InlineData(DataCodings.Ucs2, InterfaceVersion.V50, CommandStatus.ESME_ROK)]
    [InlineData(DataCodings.Binary, InterfaceVersion.V50, CommandStatus.ESME_RINVDCS)]
    [InlineData(DataCodings.Ia5, InterfaceVersion.V34, CommandStatus.ESME_RSUBMITFAIL)]
    public async Task Data_coding_other_than_0_3_8_is_refused_with_ESME_RINVDCS_on_5_0_and_ESME_RSUBMITFAIL_on_3_4(byte dataCoding, byte version, CommandStatus expected)
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter(version));
        var submit = Sim.Submit();
        submit.DataCoding = dataCoding;
        submit.ShortMessage = new byte[] { 0x00, 0x48, 0x00, 0x69 };

        Assert.Equal(expected, (await client.SubmitAsync(submit)).CommandStatus);
    }

    public static TheoryData<string, byte, byte[], CommandStatus> Lengths => new()
    {
        { "160 GSM septets", DataCodings.Gsm7, new byte[160], CommandStatus.ESME_ROK },
        { "161 GSM septets", DataCodings.Gsm7, new byte[161], CommandStatus.ESME_RINVMSGLEN },
        { "UDH + 153 septets", 0x40, [.. Udh8(1, 2, 1), .. new byte[153]], CommandStatus.ESME_ROK },
        { "UDH + 154 septets", 0x40, [.. Udh8(1, 2, 1), .. new byte[154]], CommandStatus.ESME_RINVMSGLEN },
        { "140 UCS-2 octets", DataCodings.Ucs2, new byte[140], CommandStatus.ESME_ROK },
        { "142 UCS-2 octets", DataCodings.Ucs2, new byte[142], CommandStatus.ESME_RINVMSGLEN },
        { "odd UCS-2", DataCodings.Ucs2, new byte[3], CommandStatus.ESME_RINVMSGLEN },
        { "140 Latin-9", DataCodings.Latin9, new byte[140], CommandStatus.ESME_ROK },
        { "141 Latin-9", DataCodings.Latin9, new byte[141], CommandStatus.ESME_RINVMSGLEN },
        { "UDH longer than the message", 0x40, [0x0A, 0x00, 0x03, 0x01], CommandStatus.ESME_RINVMSGLEN },
        { "empty", DataCodings.Gsm7, [], CommandStatus.ESME_RINVMSGLEN },
    };

    // The byte after the description is data_coding, or 0x40 for "GSM 7-bit with UDHI set in esm_class".
    [Theory]
    [MemberData(nameof(Lengths))]
    public async Task Short_message_longer_than_one_segment_is_refused_with_ESME_RINVMSGLEN(string description, byte codingOrUdh, byte[] message, CommandStatus expected)
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        var submit = Sim.Submit();
        submit.DataCoding = codingOrUdh == 0x40 ? DataCodings.Gsm7 : codingOrUdh;
        submit.EsmClass = codingOrUdh == 0x40 ? EsmClass.UdhIndicator : (byte)0;
        submit.ShortMessage = message;

        Assert.True(expected == (await client.SubmitAsync(submit)).CommandStatus, description);
    }

    [Fact]
    public async Task A_long_text_in_message_payload_is_accepted()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        var submit = Sim.Submit();
        submit.ShortMessage = ReadOnlyMemory<byte>.Empty;
        submit.Tlvs.MessagePayload = Gsm7.Encode(new string('x', 600));

        Assert.Equal(CommandStatus.ESME_ROK, (await client.SubmitAsync(submit)).CommandStatus);
    }

    [Fact]
    public async Task Short_message_and_message_payload_together_are_refused_with_ESME_RINVMSGLEN()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        var submit = Sim.Submit();
        submit.Tlvs.MessagePayload = Gsm7.Encode("and more");

        Assert.Equal(CommandStatus.ESME_RINVMSGLEN, (await client.SubmitAsync(submit)).CommandStatus);
    }

    [Fact]
    public async Task Submit_on_a_receiver_bind_is_refused_with_ESME_RINVBNDSTS()
    {
        await using var simulator = await Sim.StartAsync();
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Receiver());

        Assert.Equal(CommandStatus.ESME_RINVBNDSTS, (await client.SubmitAsync(Sim.Submit())).CommandStatus);
    }

    [Fact]
    public async Task Message_ids_are_unique_across_sessions()
    {
        await using var simulator = await Sim.StartAsync();
        await using var first = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        await using var second = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transceiver());

        var responses = await Task.WhenAll(Enumerable.Range(0, 200)
            .Select(i => (i % 2 == 0 ? first : second).SubmitAsync(Sim.Submit(registeredDelivery: 0))));

        Assert.All(responses, r => Assert.Equal(CommandStatus.ESME_ROK, r.CommandStatus));
        Assert.Equal(200, responses.Select(r => r.MessageId).Distinct().Count());
        Assert.Equal(200, simulator.Stats.SubmitsAccepted);
    }

    [Fact]
    public async Task The_peak_of_submits_per_second_counts_the_busiest_one_second_window()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z"));
        await using var simulator = await Sim.StartAsync(Sim.Options() with { TimeProvider = time });
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());

        // 3 submits, 0.6 s later 2 more (5 within one second), 0.6 s later 1 more (the first 3 left the window: 3).
        foreach (var (count, advance) in new[] { (3, 0.6), (2, 0.6), (1, 0.0) })
        {
            for (var i = 0; i < count; i++)
            {
                Assert.Equal(CommandStatus.ESME_ROK, (await client.SubmitAsync(Sim.Submit(registeredDelivery: 0))).CommandStatus);
            }
            time.Advance(TimeSpan.FromSeconds(advance));
        }

        Assert.Equal(6, simulator.Stats.SubmitsAccepted);
        Assert.Equal(5, simulator.Stats.PeakSubmitsPerSecond);
        Assert.Equal(6, simulator.Stats.PeakSubmitsPerFiveSeconds);
        Assert.Equal(DateTimeOffset.Parse("2025-01-01T00:00:00.6Z"), simulator.Stats.PeakSubmitsPerSecondAt);
    }

    [Fact]
    public async Task Hex_message_ids_are_upper_case_hexadecimal()
    {
        await using var simulator = await Sim.StartAsync(Sim.Options() with { MessageIdFormat = SimulatorMessageIdFormat.Hex, FirstMessageId = 0xABCDEF });
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());

        Assert.Equal("ABCDEF", (await client.SubmitAsync(Sim.Submit())).MessageId);
        Assert.Equal(0xABCDF0.ToString("X", CultureInfo.InvariantCulture), (await client.SubmitAsync(Sim.Submit())).MessageId);
    }

    [Fact]
    public async Task Accepted_submits_are_reported_with_their_fields_bytes_and_tlvs()
    {
        await using var simulator = await Sim.StartAsync();
        var seen = Channel.CreateUnbounded<ReceivedSubmit>();
        simulator.SubmitAccepted += s => seen.Writer.TryWrite(s);
        await using var client = await RawSmppClient.BoundAsync(simulator.Port, Sim.Transmitter());
        var submit = Sim.Submit();
        submit.EsmClass = EsmClass.UdhIndicator;
        submit.DataCoding = DataCodings.Ucs2;
        submit.ShortMessage = (byte[])[.. Udh8(7, 2, 1), 0x00, 0x48];
        submit.Tlvs.UserMessageReference = 42;

        var response = await client.SubmitAsync(submit);

        using var timeout = new CancellationTokenSource(RawSmppClient.DefaultWait);
        var received = await seen.Reader.ReadAsync(timeout.Token);
        Assert.Equal(response.MessageId, received.MessageId);
        Assert.Equal(Sim.User, received.SystemId);
        Assert.Equal("Instasent", received.SourceAddr);
        Assert.Equal("34676388300", received.DestinationAddr);
        Assert.Equal(EsmClass.UdhIndicator, received.EsmClass);
        Assert.Equal(DataCodings.Ucs2, received.DataCoding);
        Assert.Equal(submit.ShortMessage.ToArray(), received.ShortMessage.ToArray());
        Assert.Equal((ushort)42, received.Tlvs.UserMessageReference);
        Assert.Equal(response.MessageId, Assert.Single(simulator.RecentSubmits()).MessageId);
    }

    internal static byte[] Udh8(byte reference, byte total, byte sequence) => [0x05, 0x00, 0x03, reference, total, sequence];
}
