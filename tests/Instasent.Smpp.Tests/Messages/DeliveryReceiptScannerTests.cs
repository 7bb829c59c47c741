using System.Globalization;
using System.Text.RegularExpressions;
using Instasent.Smpp.Messages;

namespace Instasent.Smpp.Tests.Messages;

/// <summary>
/// The receipt parser finds its keys with a scanner over the colons (it runs once per message sent). These tests hold
/// it to what the regular expression it replaced found, on generated receipts full of the variations real SMSCs send and
/// of key-like text in the wrong places.
/// </summary>
public sealed partial class DeliveryReceiptScannerTests
{
    private static readonly string[] Keys = ["id", "sub", "dlvrd", "submit date", "done date", "stat", "err", "text"];
    private static readonly string[] Noise = ["void", "xid", "_id", "idx", "submit", "date", "sub mit", "submitdate", "done__date", "stat us", "ERR", "é", "id2", "-", "::", " ", "\t", "text", "1", "DELIVRD", "2301011200", "é:id"];
    private readonly DeliveryReceiptParser _parser = new();

    [Fact]
    public void Generated_receipts_give_the_fields_the_regular_expression_found()
    {
        var random = new Random(20261201);
        var checkedWithId = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var text = Generate(random);
            var expected = Reference(text);
            var parsed = _parser.TryParse(0x04, text, null, null, [], out var receipt);

            Assert.True(parsed == !string.IsNullOrEmpty(expected.Id), text);
            if (!parsed)
            {
                continue;
            }
            checkedWithId++;
            Assert.Equal(expected.Id, receipt!.MessageId);
            Assert.Equal(expected.Stat, receipt.RawStat);
            Assert.Equal(expected.Err, receipt.Error);
            Assert.Equal(expected.Text, receipt.Text);
            Assert.Equal(Count(expected.Sub), receipt.Submitted);
            Assert.Equal(Count(expected.Dlvrd), receipt.Delivered);
            Assert.Equal(Date(expected.SubmitDate), receipt.SubmitDate);
            Assert.Equal(Date(expected.DoneDate), receipt.DoneDate);
        }
        // The generator is not degenerate: thousands of receipts carry an id.
        Assert.True(checkedWithId > 3_000, $"{checkedWithId} receipts with an id");
    }

    [Theory]
    [InlineData("void:1 id:7", "7")]
    [InlineData("id :  7  stat:DELIVRD", "7")]
    [InlineData("SUBMIT__DATE:2301011200 id:8", "8")]
    [InlineData("text:id:9 id:10 id:11", null)]
    [InlineData("id:12 text:id:13", "12")]
    [InlineData(":id:14", "14")]
    public void Keys_inside_words_or_after_text_are_not_keys(string text, string? id)
    {
        Assert.Equal(id is not null, _parser.TryParse(0x04, text, null, null, [], out var receipt));
        Assert.Equal(id, receipt?.MessageId);
    }

    private static string Generate(Random random)
    {
        var parts = new List<string>();
        var count = random.Next(0, 12);
        for (var i = 0; i < count; i++)
        {
            if (random.Next(4) == 0)
            {
                parts.Add(Noise[random.Next(Noise.Length)]);
                continue;
            }
            var key = Keys[random.Next(Keys.Length)];
            if (key.Contains(' ', StringComparison.Ordinal))
            {
                key = key.Replace(" ", random.Next(4) switch { 0 => "", 1 => "_", 2 => "  ", _ => " " }, StringComparison.Ordinal);
            }
            key = new string(key.Select(c => random.Next(2) == 0 ? char.ToUpperInvariant(c) : c).ToArray());
            var value = random.Next(5) switch
            {
                0 => "",
                1 => random.Next(0, 1000).ToString("000", CultureInfo.InvariantCulture),
                2 => "2301011200",
                3 => "DELIVRD",
                _ => Noise[random.Next(Noise.Length)],
            };
            parts.Add(key + new string(' ', random.Next(0, 3)) + ":" + new string(' ', random.Next(0, 2)) + value);
        }
        return string.Join(random.Next(3) == 0 ? "  " : " ", parts);
    }

    private static int? Count(string? value) => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;

    private static DateTimeOffset? Date(string? value) =>
        DateTime.TryParseExact(value, ["yyMMddHHmm", "yyMMddHHmmss", "yyyyMMddHHmmss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
            ? new DateTimeOffset(local, TimeSpan.Zero)
            : null;

    /// <summary>The parser's key search before the scanner: the regular expression, first value of a key wins.</summary>
    private static (string? Id, string? Sub, string? Dlvrd, string? SubmitDate, string? DoneDate, string? Stat, string? Err, string? Text) Reference(string text)
    {
        (string? Id, string? Sub, string? Dlvrd, string? SubmitDate, string? DoneDate, string? Stat, string? Err, string? Text) f = default;
        var match = Key().Match(text);
        while (match.Success)
        {
            var next = match.NextMatch();
            var key = match.Groups["key"].Value;
            var isText = key.Equals("text", StringComparison.OrdinalIgnoreCase);
            var end = isText || !next.Success ? text.Length : next.Index;
            var value = text[(match.Index + match.Length)..end].Trim();
            switch (char.ToLowerInvariant(key[0]), key.Length)
            {
                case ('i', _): f.Id ??= value; break;
                case ('s', 3): f.Sub ??= value; break;
                case ('d', 5): f.Dlvrd ??= value; break;
                case ('s', 4): f.Stat ??= value; break;
                case ('e', _): f.Err ??= value; break;
                case ('t', _): f.Text ??= value; break;
                case ('s', _): f.SubmitDate ??= value; break;
                case ('d', _): f.DoneDate ??= value; break;
            }
            if (isText)
            {
                break;
            }
            match = next;
        }
        return f;
    }

    [GeneratedRegex(@"(?<![\w])(?<key>id|sub|dlvrd|submit[\s_]*date|done[\s_]*date|stat|err|text)\s*:", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Key();
}
