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

    /// <summary>
    /// Resources the snapshot holds as new objects (or dropped) since the update committed before:
    /// what this update built and left as garbage. Null when <see cref="Changes"/> is (everything new).
    /// </summary>
    public int? ReplacedResources { get; init; }

    /// <summary>How many plugins translated only <see cref="Changes"/>; the others translated the whole snapshot.</summary>
    public int IncrementalPlugins { get; init; }

    /// <summary>Per plugin that declared it, the services its connect programs have work for (chain ABI 1.4).</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<uint>> ConnectWork { get; init; } = new Dictionary<string, IReadOnlySet<uint>>();

    /// <summary>Per plugin that declared its connect work, the clusters it has work for (a per-cluster plugin: the circuit breaker).</summary>
    public IReadOnlyDictionary<string, IReadOnlySet<uint>> ConnectClusterWork { get; init; } = new Dictionary<string, IReadOnlySet<uint>>();

    /// <summary>The chain's work the readers (routing) were translated with; null when no plugin reads it.</summary>
    public ChainWork? ChainWork { get; init; }

    /// <summary>Per plugin, the findings and facts of its translation in full (what the next incremental update builds on).</summary>
    public IReadOnlyDictionary<string, PluginFindings> Findings { get; init; } = new Dictionary<string, PluginFindings>();

    /// <summary>How long the snapshot and the translations took (the write is timed by the commit).</summary>
    public TimeSpan TranslationTime { get; init; }
}

/// <summary>A fact a plugin's translator reported.</summary>
/// <param name="Plugin">The plugin.</param>
/// <param name="Fact">What (part of) a resource became.</param>
public sealed record PluginFact(string Plugin, TranslationFact Fact);
