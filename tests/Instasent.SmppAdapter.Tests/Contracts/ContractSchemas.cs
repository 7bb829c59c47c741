using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Schema;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Instasent.SmppAdapter.Contracts;
using Instasent.SmppAdapter.Sending;
using Instasent.SmppAdapter.Tests.Ops;
using MassTransit;
using MassTransit.Serialization;

namespace Instasent.SmppAdapter.Tests.Contracts;

/// <summary>
/// The JSON Schema of each message of the contract, generated from the records with the BCL's
/// <see cref="JsonSchemaExporter"/> and checked in under <c>src/Instasent.SmppAdapter.Contracts/schemas/</c>.
/// <c>UPDATE_SCHEMAS=1 dotnet test tests/Instasent.SmppAdapter.Tests --filter ContractSchemaTests</c> rewrites them.
/// </summary>
internal static partial class ContractSchemas
{
    public const string Directory = "src/Instasent.SmppAdapter.Contracts/schemas";

    /// <summary>
    /// MassTransit's own options (camelCase, what the bus writes and reads), with two differences that only change
    /// what the schema can see: nullable annotations are respected, so a <c>string</c> field is a string and a
    /// <c>string?</c> one may be null, which is the contract the records state; and MassTransit's converter for
    /// interface-typed members is left out, because the exporter cannot see through a custom converter (it would
    /// describe <c>metadata</c> as "anything") while the JSON of those members is the interface's plain shape.
    /// </summary>
    public static JsonSerializerOptions SerializerOptions { get; } = BuildSerializerOptions();

    /// <summary>Every message of the contract: the exported types whose MassTransit message type is pinned.</summary>
    public static IReadOnlyList<Type> MessageTypes { get; } = typeof(SendSms).Assembly.GetExportedTypes()
        .Where(t => t.GetCustomAttribute<MessageUrnAttribute>() is not null)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToList();

    public static string RelativePath(Type message) => $"{Directory}/{message.Name}.schema.json";

    private static readonly JsonSerializerOptions Output = new()
    {
        WriteIndented = true,
        NewLine = "\n",
        // The descriptions are prose for people: keep ' < > as they are.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly Lazy<IReadOnlyDictionary<string, string>> Docs = new(LoadDocs);

    /// <summary>The schema of one message as the checked-in file holds it (indented, <c>\n</c>, final newline).</summary>
    public static string Generate(Type message)
    {
        var exporter = new JsonSchemaExporterOptions
        {
            // The message itself, list items and map values carry no nullable annotation of their own; the records
            // never hold null there, so the schema does not allow it.
            TreatNullObliviousAsNonNullable = true,
            TransformSchemaNode = Describe,
        };
        var schema = JsonSchemaExporter.GetJsonSchemaAsNode(SerializerOptions, message, exporter).AsObject();

        // The dialect and identity first, so a reader sees what the file is before what it says.
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = MessageUrn.ForTypeString(message),
            ["title"] = message.Name,
        };
        foreach (var (key, value) in schema.ToList())
        {
            schema.Remove(key);
            root[key] = value;
        }

        return root.ToJsonString(Output) + "\n";
    }

    private static JsonSerializerOptions BuildSerializerOptions()
    {
        var options = new JsonSerializerOptions(SystemTextJsonMessageSerializer.Options) { RespectNullableAnnotations = true };
        var interfaceConverter = options.Converters.Single(c => c.GetType().Name == "SystemTextJsonConverterFactory");
        options.Converters.Remove(interfaceConverter);
        // The adapter's fallback for commands that do not fit the contract reads SendSms itself; the schema is the record's.
        foreach (var lenient in options.Converters.OfType<LenientSendSmsConverter>().ToList())
        {
            options.Converters.Remove(lenient);
        }
        options.MakeReadOnly();
        return options;
    }

    /// <summary>Adds the XML doc summary of the type (at the root) or of the property as the node's description.</summary>
    private static JsonNode Describe(JsonSchemaExporterContext context, JsonNode schema)
    {
        var id = context.PropertyInfo?.AttributeProvider is PropertyInfo property
            ? $"P:{property.DeclaringType!.FullName!.Replace('+', '.')}.{property.Name}"
            : context.Path.IsEmpty ? $"T:{context.TypeInfo.Type.FullName}" : null;
        if (id is not null && schema is JsonObject node && Docs.Value.TryGetValue(id, out var description))
        {
            node.Insert(0, "description", description);
        }

        return schema;
    }

    /// <summary>
    /// Summaries from the contract's XML documentation file (copied beside the test assembly by the project
    /// reference), flattened to plain text: <c>&lt;see cref&gt;</c> becomes the member's short name.
    /// </summary>
    private static Dictionary<string, string> LoadDocs()
    {
        var file = Path.ChangeExtension(typeof(SendSms).Assembly.Location, ".xml");
        return XDocument.Load(file).Descendants("member")
            .Where(m => m.Element("summary") is not null)
            .ToDictionary(m => (string)m.Attribute("name")!, m => PlainText(m.Element("summary")!));
    }

    private static string PlainText(XElement summary)
    {
        var text = string.Concat(summary.Nodes().Select(n => n switch
        {
            XText t => t.Value,
            XElement { Name.LocalName: "see" } see => ShortName((string?)see.Attribute("cref") ?? see.Value),
            XElement e => e.Value,
            _ => "",
        }));
        return Whitespace().Replace(text, " ").Trim();
    }

    // "P:Instasent.SmppAdapter.Contracts.SmsRejected.Code" -> "SmsRejected.Code"; "T:...SendSms" -> "SendSms".
    private static string ShortName(string cref)
    {
        var name = cref[(cref.IndexOf(':') + 1)..];
        const string Namespace = "Instasent.SmppAdapter.Contracts.";
        return name.StartsWith(Namespace, StringComparison.Ordinal) ? name[Namespace.Length..] : name;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>The schema file's path in the working tree.</summary>
    public static string PathOf(Type message) => Repo.PathOf(RelativePath(message));
}
