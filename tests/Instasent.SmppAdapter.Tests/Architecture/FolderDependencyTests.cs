using System.Text.RegularExpressions;
using Instasent.SmppAdapter.Tests.Ops;

namespace Instasent.SmppAdapter.Tests.Architecture;

/// <summary>
/// The adapter's folders follow the flow (<c>Sending</c>, <c>Inbound</c>, <c>Sessions</c>) over infrastructure
/// (<c>Configuration</c>, <c>Stores</c>, <c>Hosting</c>, <c>Telemetry</c>) that imports nothing back, and no folders import
/// each other in a circle. Read from the source: each file's <c>using</c> directives and fully qualified names of the
/// adapter's namespaces, plus names of the composition root (the project's top folder) used anywhere below it.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private const string Project = "src/Instasent.SmppAdapter";
    private static readonly string[] Flows = ["Sending", "Inbound", "Sessions"];
    private static readonly string[] Infrastructure = ["Configuration", "Stores", "Hosting", "Telemetry"];

    private static readonly Lazy<Dictionary<string, HashSet<string>>> Graph = new(ReadGraph);

    [Fact]
    public void Every_folder_is_a_flow_or_infrastructure()
    {
        Assert.Equal(Flows.Concat(Infrastructure).Order(), Graph.Value.Keys.Order());
    }

    [Fact]
    public void Infrastructure_imports_no_flow()
    {
        var wrong = Infrastructure.SelectMany(folder => Graph.Value[folder].Intersect(Flows).Select(flow => $"{folder} -> {flow}")).ToList();
        Assert.True(wrong.Count == 0, "infrastructure importing a flow: " + string.Join(", ", wrong));
    }

    [Fact]
    public void No_folders_import_each_other_in_a_circle()
    {
        var cycle = FindCycle(Graph.Value);
        Assert.True(cycle is null, "folder cycle: " + string.Join(" -> ", cycle ?? []));
    }

    [Fact]
    public void Nothing_below_the_top_folder_uses_the_composition_root()
    {
        var rootTypes = Directory.GetFiles(Repo.PathOf(Project), "*.cs", SearchOption.TopDirectoryOnly)
            .SelectMany(f => TypeDeclaration().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToList();
        Assert.NotEmpty(rootTypes);
        var users = SourceFiles()
            .Where(f => f.Folder is not null)
            .SelectMany(f => rootTypes.Where(t => Regex.IsMatch(f.Text, $@"\b{t}\b")).Select(t => $"{f.Path} uses {t}"))
            .ToList();
        Assert.True(users.Count == 0, string.Join("; ", users));
    }

    /// <summary>The check itself: a cycle is found when there is one.</summary>
    [Fact]
    public void A_cycle_is_found_when_there_is_one()
    {
        var graph = new Dictionary<string, HashSet<string>>
        {
            ["A"] = ["B"],
            ["B"] = ["C"],
            ["C"] = ["A"],
            ["D"] = ["A"],
        };
        Assert.Equal(["A", "B", "C", "A"], FindCycle(graph));
        Assert.Null(FindCycle(new Dictionary<string, HashSet<string>> { ["A"] = ["B"], ["B"] = [] }));
    }

    private static Dictionary<string, HashSet<string>> ReadGraph()
    {
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var file in SourceFiles().Where(f => f.Folder is not null))
        {
            var imports = graph.TryGetValue(file.Folder!, out var set) ? set : graph[file.Folder!] = [];
            foreach (Match m in AdapterNamespace().Matches(file.Text))
            {
                if (m.Groups[1].Value != file.Folder)
                {
                    imports.Add(m.Groups[1].Value);
                }
            }
        }
        return graph;
    }

    private static IEnumerable<(string Path, string? Folder, string Text)> SourceFiles()
    {
        var root = Repo.PathOf(Project);
        return Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Select(f =>
            {
                var relative = Path.GetRelativePath(root, f);
                var folder = relative.Contains('/', StringComparison.Ordinal) ? relative.Split('/')[0] : null;
                // Comments may name anything; only code counts.
                return (relative, folder, LineComment().Replace(File.ReadAllText(f), ""));
            });
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> graph)
    {
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        foreach (var start in graph.Keys.Order())
        {
            if (Visit(start) is { } cycle)
            {
                return cycle;
            }
        }
        return null;

        List<string>? Visit(string node)
        {
            if (state.GetValueOrDefault(node) == 2)
            {
                return null;
            }
            if (state.GetValueOrDefault(node) == 1)
            {
                return [.. path.Skip(path.IndexOf(node)), node];
            }
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node, []).Order())
            {
                if (Visit(next) is { } cycle)
                {
                    return cycle;
                }
            }
            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    // `using Instasent.SmppAdapter.X;` and fully qualified `Instasent.SmppAdapter.X.Type` alike.
    [GeneratedRegex(@"\bInstasent\.SmppAdapter\.(Sending|Inbound|Sessions|Configuration|Stores|Hosting|Telemetry)\b")]
    private static partial Regex AdapterNamespace();

    [GeneratedRegex(@"//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\b(?:class|record|struct|interface|enum)\s+([A-Z]\w*)")]
    private static partial Regex TypeDeclaration();
}
