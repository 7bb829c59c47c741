using Instasent.Smpp.Messages;
using Instasent.Smpp.Text;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.IntegrationTests.Infrastructure;
using Instasent.SmppAdapter.Simulator;

namespace Instasent.SmppAdapter.IntegrationTests;

[Collection(RabbitMqCollection.Name)]
public sealed class MixedTrafficTests(RabbitMqBroker broker)
{
    private const int Commands = 1000;

    [Fact]
    public async Task A_thousand_mixed_commands_get_one_outcome_each_and_every_segment_receipt_matched_to_its_command()
    {
        await using var run = await AdapterOnBroker.StartAsync(broker);
        var commands = Enumerable.Range(0, Commands).Select(Command).ToList();

        // Half plain JSON, half in MassTransit's envelope: both are the contract.
        await run.Bus.PublishManyAsync(commands, alternateEnvelope: true);

        var expectedSegments = commands.Sum(c => ExpectedSegments(c));
        await run.UntilAsync(() => run.Bus.Of<SmsSubmitted>().Count + run.Bus.Of<SmsRejected>().Count >= Commands, $"{Commands} outcomes");
        await run.UntilAsync(() => run.Bus.Of<SmsDeliveryReported>().Count >= expectedSegments, $"{expectedSegments} delivery reports");

        Assert.Empty(run.Bus.Of<SmsRejected>());
        var submitted = run.Bus.Of<SmsSubmitted>();
        Assert.Equal(Commands, submitted.Count);
        Assert.Equal(commands.Select(c => c.MessageId).Order(), submitted.Select(s => s.MessageId).Order());

        // Every segment went to the SMSC exactly once, in the encoding asked for, and reads back as the text sent.
        var accepted = run.AcceptedSubmits.ToDictionary(s => s.MessageId);
        Assert.Equal(expectedSegments, accepted.Count);
        foreach (var outcome in submitted)
        {
            var command = commands.Single(c => c.MessageId == outcome.MessageId);
            Assert.Equal(ExpectedSegments(command), outcome.Segments);
            Assert.Equal(outcome.Segments, outcome.SmscMessageIds.Count);
            Assert.Equal("tenant-" + command.MessageId[^1], outcome.Metadata!["tenant"]);
            var segments = outcome.SmscMessageIds.Select(id => accepted[id]).ToList();
            Assert.All(segments, s => Assert.Equal(ExpectedDataCoding(command), s.DataCoding));
            Assert.Equal(command.Text, Reassemble(segments));
        }

        // One report per segment, each naming its command, segment and metadata.
        var reports = run.Bus.Of<SmsDeliveryReported>();
        Assert.Equal(expectedSegments, reports.Count);
        var bySmscId = submitted.SelectMany(s => s.SmscMessageIds.Select((id, i) => (id, s, segment: i + 1))).ToDictionary(x => x.id);
        Assert.All(reports, report =>
        {
            Assert.True(bySmscId.TryGetValue(report.SmscMessageId, out var owner), $"receipt for unknown smscMessageId {report.SmscMessageId}");
            Assert.Equal(owner.s.MessageId, report.MessageId);
            Assert.Equal(owner.segment, report.Segment);
            Assert.Equal(owner.s.Segments, report.Segments);
            Assert.Equal("DELIVRD", report.Status);
            Assert.Equal(owner.s.Metadata!["tenant"], report.Metadata!["tenant"]);
        });
        Assert.Equal(expectedSegments, reports.Select(r => r.SmscMessageId).Distinct().Count());
    }

    private static SendSms Command(int i)
    {
        var (text, encoding) = (i % 5) switch
        {
            0 => ($"Your code is {i:D6}. Don't share it! @£$¥", null),
            1 => ($"Señal {i}: 25 € ¿sí? Ça va, naïve façade", "latin9"),
            2 => ($"Pedido {i} enviado 🚚📦 ¡gracias! 你好", null),
            3 => ($"Long {i}: " + string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog; ", 6)) + "{end} [~]", null),
            _ => ($"Largo {i} 😀 " + string.Concat(Enumerable.Repeat("emoji y acentos: áéíóú ñ ", 5)), "ucs2"),
        };
        return new SendSms
        {
            MessageId = $"mixed-{i:D4}",
            From = i % 2 == 0 ? "Instasent" : "34600000000",
            To = $"+346{i:D8}",
            Text = text,
            Encoding = encoding,
            Metadata = new Dictionary<string, string> { ["tenant"] = "tenant-" + (i % 10) },
        };
    }

    private static SmsAlphabet Alphabet(SendSms command) => command.Encoding switch
    {
        "latin9" => SmsAlphabet.Latin9,
        "ucs2" => SmsAlphabet.Ucs2,
        _ => SmsText.ChooseAlphabet(command.Text),
    };

    private static int ExpectedSegments(SendSms command) => MessageSplitter.CountSegments(command.Text, Alphabet(command), SegmentationMode.Udh8);

    private static byte ExpectedDataCoding(SendSms command) => Alphabet(command) switch
    {
        SmsAlphabet.Gsm7 => 0,
        SmsAlphabet.Latin9 => 3,
        _ => 8,
    };

    /// <summary>The text the handset would show: the segments' user data without their UDH, in UDH sequence order.</summary>
    private static string Reassemble(IReadOnlyList<ReceivedSubmit> segments)
    {
        var ordered = segments.Select(s =>
        {
            var offset = UserDataHeader.GetTextOffset(s.EsmClass, s.ShortMessage.Span, out var concatenation);
            if (segments.Count > 1)
            {
                Assert.NotNull(concatenation);
                Assert.Equal(segments.Count, concatenation.Value.Total);
            }
            return (sequence: concatenation?.Sequence ?? 1, bytes: s.ShortMessage[offset..].ToArray());
        }).OrderBy(x => x.sequence).ToList();
        Assert.Equal(Enumerable.Range(1, segments.Count), ordered.Select(x => (int)x.sequence));
        return SmsText.Decode(segments[0].DataCoding, ordered.SelectMany(x => x.bytes).ToArray());
    }
}
