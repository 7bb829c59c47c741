using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Tests.Ops;
using Json.Schema;
using MassTransit.Serialization;

namespace Instasent.SmppAdapter.Tests.Contracts;

/// <summary>
/// The checked-in JSON Schemas cannot drift from the records, and they accept what the bus writes and what the
/// contract's README shows (validated with JsonSchema.Net, an implementation independent of the generator).
/// </summary>
public sealed partial class ContractSchemaTests
{
    private const string Regenerate =
        "UPDATE_SCHEMAS=1 dotnet test tests/Instasent.SmppAdapter.Tests --filter FullyQualifiedName~ContractSchemaTests";

    private const string ContractReadme = "src/Instasent.SmppAdapter.Contracts/README.md";

    public static TheoryData<Type> Messages => new(ContractSchemas.MessageTypes);

    [Theory]
    [MemberData(nameof(Messages))]
    public void Checked_in_schema_is_the_one_generated_from_the_record(Type message)
    {
        var generated = ContractSchemas.Generate(message);
        var path = ContractSchemas.PathOf(message);
        if (Environment.GetEnvironmentVariable("UPDATE_SCHEMAS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, generated);
        }

        var checkedIn = File.Exists(path) ? File.ReadAllText(path) : null;
        Assert.True(generated == checkedIn,
            $"{ContractSchemas.RelativePath(message)} is {(checkedIn is null ? "missing" : "out of date")}; regenerate with: {Regenerate}");
    }

    [Fact]
    public void Every_schema_file_belongs_to_a_message_of_the_contract()
    {
        var expected = ContractSchemas.MessageTypes.Select(ContractSchemas.RelativePath).Order();
        var files = Directory.GetFiles(Repo.PathOf(ContractSchemas.Directory), "*.schema.json")
            .Select(f => $"{ContractSchemas.Directory}/{Path.GetFileName(f)}")
            .Order();

        Assert.Equal(expected, files);
    }

    public static TheoryData<string, string> ReadmeExamples()
    {
        var data = new TheoryData<string, string>();
        foreach (Match example in ReadmeExample().Matches(Repo.Read(ContractReadme)))
        {
            data.Add(example.Groups["message"].Value, example.Groups["json"].Value);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReadmeExamples))]
    public void Readme_example_is_valid_against_the_schema_of_its_message(string message, string json)
    {
        var type = ContractSchemas.MessageTypes.Single(t => t.Name == message);

        AssertValid(type, json);
    }

    [Fact]
    public void Readme_shows_an_example_of_the_command_and_of_every_outcome()
    {
        var shown = ReadmeExamples().Select(row => (string)row[0]);

        Assert.Superset(
            new[] { nameof(SendSms), nameof(SmsSubmitted), nameof(SmsRejected), nameof(SmsDeliveryReported), nameof(InboundSmsReceived) }.ToHashSet(),
            shown.ToHashSet());
    }

    // ContractNamesTests' samples set every field, so the bus writes each one (nulls included): the schema must
    // accept the JSON the adapter actually publishes.
    public static TheoryData<object> BusSamples => new(ContractNamesTests.Samples
        .Select(row => row[0])
        .Where(sample => ContractSchemas.MessageTypes.Contains(sample.GetType())));

    [Theory]
    [MemberData(nameof(BusSamples))]
    public void Message_as_the_bus_serializes_it_is_valid_against_its_schema(object message)
    {
        var json = JsonSerializer.Serialize(message, message.GetType(), SystemTextJsonMessageSerializer.Options);

        AssertValid(message.GetType(), json);
    }

    [Fact]
    public void SendSms_with_a_number_where_a_string_belongs_is_invalid()
    {
        var result = Evaluate(typeof(SendSms), """{"messageId":"m1","from":"Instasent","to":34600000000,"text":"hi"}""");

        Assert.False(result.IsValid);
    }

    [Fact]
    public void SmsRejected_without_its_required_reason_is_invalid()
    {
        var result = Evaluate(typeof(SmsRejected),
            """{"messageId":"m1","permanent":true,"rejectedAt":"2026-11-25T20:21:45+00:00"}""");

        Assert.False(result.IsValid);
    }

    private static readonly ConcurrentDictionary<Type, JsonSchema> Schemas = new();

    private static EvaluationResults Evaluate(Type message, string json)
    {
        // One build per schema, each in its own registry: the schemas' $id would collide in the global one.
        var schema = Schemas.GetOrAdd(message, type => JsonSchema.FromText(
            File.ReadAllText(ContractSchemas.PathOf(type)),
            new BuildOptions { SchemaRegistry = new SchemaRegistry() }));
        using var document = JsonDocument.Parse(json);
        return schema.Evaluate(document.RootElement,
            new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
    }

    private static void AssertValid(Type message, string json)
    {
        var result = Evaluate(message, json);
        var errors = (result.Details ?? [])
            .Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"));

        Assert.True(result.IsValid, $"{message.Name} is not valid against its schema: {string.Join("; ", errors)}\n{json}");
    }

    // "### `SendSms`" followed by its ```json block.
    [GeneratedRegex(@"^### `(?<message>\w+)`\s*\n+```json\n(?<json>.*?)\n```", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex ReadmeExample();
}
