using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Check;

/// <summary>
/// What the snapshot builder and the plugins reported, by resource, until each item of
/// the file takes its own; what no item takes is left over, never dropped.
/// </summary>
internal sealed class TranslationReports
{
    private readonly Dictionary<ResourceRef, List<CheckFact>> _facts = new();
    private readonly Dictionary<ResourceRef, List<CheckFinding>> _findings = new();

    public void Add(IEnumerable<TranslationDiagnostic> diagnostics, string source)
    {
        foreach (var d in diagnostics)
            Add(d.Resource, new CheckFinding(d.Severity, d.Field, d.Message, source));
    }

    public void Add(IEnumerable<TranslationFact> facts, string source)
    {
        foreach (var f in facts)
            ListOf(_facts, f.Resource).Add(new CheckFact(f.Kind, f.Field, f.Detail, source));
    }

    public void Add(ResourceRef resource, CheckFinding finding) => ListOf(_findings, resource).Add(finding);

    /// <summary>The facts about a resource, taken out; none for an item that is no resource (null).</summary>
    public List<CheckFact> TakeFacts(ResourceRef? resource) => resource is { } r && _facts.Remove(r, out var facts) ? facts : [];

    /// <summary>The findings about a resource, taken out; none for an item that is no resource (null).</summary>
    public List<CheckFinding> TakeFindings(ResourceRef? resource) => resource is { } r && _findings.Remove(r, out var findings) ? findings : [];

    /// <summary>What was reported about resources no item took, facts as infos.</summary>
    public List<(ResourceRef Resource, CheckFinding Finding)> Leftovers() =>
        _findings.SelectMany(kv => kv.Value.Select(f => (kv.Key, f)))
            .Concat(_facts.SelectMany(kv => kv.Value.Select(f =>
                (kv.Key, new CheckFinding(DiagnosticSeverity.Info, f.Field, $"applied: {f.Detail}", f.Source)))))
            .ToList();

    private static List<T> ListOf<T>(Dictionary<ResourceRef, List<T>> lists, ResourceRef resource)
    {
        if (!lists.TryGetValue(resource, out var list))
            lists[resource] = list = [];
        return list;
    }
}
