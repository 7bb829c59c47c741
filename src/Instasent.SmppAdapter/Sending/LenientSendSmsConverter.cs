using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Instasent.SmppAdapter.Sending;

/// <summary>
/// Reads a <see cref="SendSms"/> whose JSON does not fit the contract (<c>"to": 34600000000</c>, an object for
/// <c>text</c>) as a command that the validator then rejects with <c>invalid_input</c>, naming the field, instead of a
/// deserialization fault that would park it in the error queue with no outcome. A command that fits costs nothing extra:
/// the fallback reads the JSON again only after the normal read failed.
/// </summary>
public sealed class LenientSendSmsConverter : JsonConverter<SendSms>
{
    private static readonly ConditionalWeakTable<SendSms, string> Problems = new();
    private JsonSerializerOptions? _inner;

    /// <summary>Why <paramref name="command"/>'s JSON did not fit the contract, when it did not.</summary>
    public static bool TryGetProblem(SendSms command, out string problem) => Problems.TryGetValue(command, out problem!);

    public override SendSms Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var inner = Inner(options);
        var attempt = reader;
        try
        {
            var command = JsonSerializer.Deserialize<SendSms>(ref attempt, inner)!;
            reader = attempt;
            return command;
        }
        catch (JsonException e)
        {
            var node = JsonNode.Parse(ref reader);
            var fallback = new SendSms
            {
                MessageId = node?["messageId"] is JsonValue id && id.TryGetValue<string>(out var text) ? text : "",
                Metadata = TryRead<Dictionary<string, string>>(node?["metadata"], inner),
            };
            Problems.AddOrUpdate(fallback, $"the JSON does not fit SendSms at {e.Path ?? "$"}: {FirstSentence(e.Message)}");
            return fallback;
        }
    }

    public override void Write(Utf8JsonWriter writer, SendSms value, JsonSerializerOptions options) =>
        JsonSerializer.Serialize(writer, value, Inner(options));

    private JsonSerializerOptions Inner(JsonSerializerOptions options)
    {
        if (_inner is null)
        {
            var inner = new JsonSerializerOptions(options);
            inner.Converters.Remove(this);
            _inner = inner;
        }
        return _inner;
    }

    private static T? TryRead<T>(JsonNode? node, JsonSerializerOptions options) where T : class
    {
        try
        {
            return node?.Deserialize<T>(options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string FirstSentence(string message) => message.Split(". ", 2)[0].TrimEnd('.');
}
