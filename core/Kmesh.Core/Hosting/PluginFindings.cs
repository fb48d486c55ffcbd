using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Hosting;

/// <summary>
/// The findings and facts of a plugin's translation in force, and the translator that made it: an
/// incremental translation replaces those of the resources it translated again.
/// </summary>
/// <remarks>
/// Plugins report a fact or two for every resource they act on: tens of thousands at 10 000
/// services. An incremental update must cost what it translated again, so the facts are kept as
/// the list of the last full translation plus the resources translated since (resource → its facts
/// now), and listed only when read (the config dump). The overlay is folded into a new list once
/// it outgrows an eighth of it, so neither side grows without bound.
/// </remarks>
public sealed class PluginFindings
{
    private readonly IReadOnlyList<TranslationFact> _base;
    private readonly Dictionary<ResourceRef, TranslationFact[]> _since;
    private IReadOnlyList<TranslationFact>? _facts;

    /// <summary>The findings and facts of a full translation.</summary>
    /// <param name="translator">The translator (a reloaded plugin has another one, which starts with a full translation).</param>
    /// <param name="diagnostics">Its findings.</param>
    /// <param name="facts">What it applied.</param>
    public PluginFindings(ITranslator translator, IReadOnlyList<TranslationDiagnostic> diagnostics, IReadOnlyList<TranslationFact> facts)
        : this(translator, diagnostics, facts, new Dictionary<ResourceRef, TranslationFact[]>()) =>
        _facts = facts;

    private PluginFindings(ITranslator translator, IReadOnlyList<TranslationDiagnostic> diagnostics, IReadOnlyList<TranslationFact> facts,
        Dictionary<ResourceRef, TranslationFact[]> since)
    {
        Translator = translator;
        Diagnostics = diagnostics;
        _base = facts;
        _since = since;
    }

    /// <summary>The translator that made these.</summary>
    public ITranslator Translator { get; }

    /// <summary>Its findings (few: warnings and errors only, so kept as one list).</summary>
    public IReadOnlyList<TranslationDiagnostic> Diagnostics { get; }

    /// <summary>What it applied, every resource's; listed when first read.</summary>
    // Two threads reading it first compute the same list: no lock needed.
    public IReadOnlyList<TranslationFact> Facts => _facts ??= Fold();

    /// <summary>These findings with those of the resources <paramref name="delta"/> translated again replaced by its own.</summary>
    public PluginFindings With(TranslationDelta delta)
    {
        if (delta.Resources.Count == 0)
            return this;
        var diagnostics = Diagnostics.Where(d => !delta.Resources.Contains(d.Resource)).Concat(delta.Findings.Diagnostics).ToList();
        var reported = delta.Findings.Facts;
        // A fact about a resource not translated again adds to that resource's facts: only a whole list says that.
        if (reported.Any(f => !delta.Resources.Contains(f.Resource)))
            return new PluginFindings(Translator, diagnostics, Facts.Where(f => !delta.Resources.Contains(f.Resource)).Concat(reported).ToList());
        var since = new Dictionary<ResourceRef, TranslationFact[]>(_since);
        foreach (var resource in delta.Resources)
            since[resource] = [];
        foreach (var group in reported.GroupBy(f => f.Resource))
            since[group.Key] = group.ToArray();
        var result = new PluginFindings(Translator, diagnostics, _base, since);
        return since.Count > 64 && since.Count > _base.Count / 8 ? new PluginFindings(Translator, diagnostics, result.Facts) : result;
    }

    private List<TranslationFact> Fold()
    {
        var facts = new List<TranslationFact>(_base.Count);
        foreach (var fact in _base)
        {
            if (!_since.ContainsKey(fact.Resource))
                facts.Add(fact);
        }
        foreach (var resourceFacts in _since.Values)
            facts.AddRange(resourceFacts);
        return facts;
    }
}
