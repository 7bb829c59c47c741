using System.Diagnostics;

namespace Instasent.SmppAdapter.IntegrationTests.Infrastructure;

public static class Spans
{
    /// <summary>A copy of the in-memory exporter's list (it appends from its own thread; a copy racing an append is retried, bounded).</summary>
    public static List<Activity> Snapshot(List<Activity> spans)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return [.. spans];
            }
            catch (InvalidOperationException) when (attempt < 100)
            {
            }
        }
    }

    /// <summary><paramref name="span"/> and its exported ancestors, leaf first (stops at a parent that was not exported).</summary>
    public static List<Activity> Ancestry(Activity span, IReadOnlyCollection<Activity> all)
    {
        var byId = all.GroupBy(a => a.SpanId).ToDictionary(g => g.Key, g => g.First());
        var chain = new List<Activity> { span };
        for (var current = span; chain.Count < 64 && byId.TryGetValue(current.ParentSpanId, out var parent); current = parent)
        {
            chain.Add(parent);
        }

        return chain;
    }

    public static string Describe(IEnumerable<Activity> chain) =>
        string.Join(" <- ", chain.Select(a => $"[{a.Source.Name}] {a.DisplayName} ({a.Kind}, {a.SpanId})"));
}
