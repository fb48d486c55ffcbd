using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Check;

/// <summary>
/// What the snapshot builder and the plugins reported, by resource name, until each item of
/// the file takes its own; what no item takes is left over, never dropped.
/// </summary>
internal sealed class TranslationReports
{
    private readonly Dictionary<string, List<CheckFact>> _facts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<CheckFinding>> _findings = new(StringComparer.Ordinal);

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

    public void Add(string resource, CheckFinding finding) => ListOf(_findings, resource).Add(finding);

    /// <summary>The facts about a resource, taken out.</summary>
    public List<CheckFact> TakeFacts(string resource) => _facts.Remove(resource, out var facts) ? facts : [];

    /// <summary>The findings about a resource, taken out.</summary>
    public List<CheckFinding> TakeFindings(string resource) => _findings.Remove(resource, out var findings) ? findings : [];

    /// <summary>What was reported about resources no item took, facts as infos.</summary>
    public List<(string Resource, CheckFinding Finding)> Leftovers() =>
        _findings.SelectMany(kv => kv.Value.Select(f => (kv.Key, f)))
            .Concat(_facts.SelectMany(kv => kv.Value.Select(f =>
                (kv.Key, new CheckFinding(DiagnosticSeverity.Info, f.Field, $"applied: {f.Detail}", f.Source)))))
            .ToList();

    private static List<T> ListOf<T>(Dictionary<string, List<T>> lists, string resource)
    {
        if (!lists.TryGetValue(resource, out var list))
            lists[resource] = list = [];
        return list;
    }
}
