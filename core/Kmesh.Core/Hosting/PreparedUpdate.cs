using Kmesh.Core.Reconcile;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Hosting;

/// <summary>A configuration translated by every plugin but not yet written to the kernel.</summary>
/// <param name="Snapshot">The snapshot translators read.</param>
/// <param name="Desired">Each plugin's desired maps (plugins whose translator threw are absent).</param>
/// <param name="Diagnostics">Every finding of the snapshot builder and the translators.</param>
/// <param name="TranslationErrors">Plugin → why its translator failed.</param>
public sealed record PreparedUpdate(
    MeshSnapshot Snapshot,
    IReadOnlyList<PluginDesiredMaps> Desired,
    IReadOnlyList<TranslationDiagnostic> Diagnostics,
    IReadOnlyDictionary<string, string> TranslationErrors)
{
    /// <summary>What each plugin reported it applied, for the config dump.</summary>
    public IReadOnlyList<PluginFact> Facts { get; init; } = [];

    /// <summary>What changed since the update committed before; null when everything was translated (the first update, or after one that was not committed).</summary>
    public MeshChanges? Changes { get; init; }

    /// <summary>How many plugins translated only <see cref="Changes"/>; the others translated the whole snapshot.</summary>
    public int IncrementalPlugins { get; init; }

    /// <summary>Per plugin, the findings and facts of its translation in full (what the next incremental update builds on).</summary>
    public IReadOnlyDictionary<string, PluginFindings> Findings { get; init; } = new Dictionary<string, PluginFindings>();
}

/// <summary>
/// The findings and facts of a plugin's translation in force, and the translator that made it: an
/// incremental translation replaces those of the resources it translated again.
/// </summary>
/// <param name="Translator">The translator (a reloaded plugin has another one, which starts with a full translation).</param>
/// <param name="Diagnostics">Its findings.</param>
/// <param name="Facts">What it applied.</param>
public sealed record PluginFindings(ITranslator Translator, IReadOnlyList<TranslationDiagnostic> Diagnostics, IReadOnlyList<TranslationFact> Facts)
{
    /// <summary>These findings with those of the resources <paramref name="delta"/> translated again replaced by its own.</summary>
    public PluginFindings With(TranslationDelta delta)
    {
        if (delta.Resources.Count == 0)
            return this;
        var diagnostics = Diagnostics.Where(d => !delta.Resources.Contains(d.Resource)).Concat(delta.Findings.Diagnostics).ToList();
        var facts = Facts.Where(f => !delta.Resources.Contains(f.Resource)).Concat(delta.Findings.Facts).ToList();
        return new PluginFindings(Translator, diagnostics, facts);
    }
}

/// <summary>A fact a plugin's translator reported.</summary>
/// <param name="Plugin">The plugin.</param>
/// <param name="Fact">What (part of) a resource became.</param>
public sealed record PluginFact(string Plugin, TranslationFact Fact);
