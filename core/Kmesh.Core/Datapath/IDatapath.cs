using Kmesh.Core.Plugins;
using Kmesh.Core.Reconcile;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Datapath;

/// <summary>
/// What the daemon's update policy needs of the kernel datapath: the plugins' translators and
/// their maps, what became of each plugin, and plugin replacement. <see cref="ChainDatapath"/>
/// is the real one; the policy's unit tests run against an in-memory one, without a kernel.
/// </summary>
public interface IDatapath : IDisposable
{
    /// <summary>The plugins whose translators and maps the next update uses, in chain order.</summary>
    IReadOnlyList<IChainMember> Translators { get; }

    /// <summary>The plugins in the chain, in chain order.</summary>
    IReadOnlyList<IChainMember> Plugins { get; }

    /// <summary>Every plugin of the chosen set, active or left out with the reason.</summary>
    IReadOnlyList<PluginStatus> Statuses { get; }

    /// <summary>A plugin's map as the reconciler writes it; null when the plugin has no such map.</summary>
    IKernelMap? PluginMap(string plugin, string map);

    /// <summary>The kernel's per-service traffic counters and access log; null where there is no kernel.</summary>
    Kmesh.Core.Telemetry.KernelTelemetry? Telemetry { get; }

    /// <summary>
    /// True when the datapath took over the maps of one left running (<c>--keep-on-exit</c>): the
    /// reconciler then starts from what the plugins' maps hold instead of from nothing.
    /// </summary>
    bool Adopted => false;

    /// <summary>What was adopted and whether this datapath's own chain serves yet; null when nothing was adopted.</summary>
    AdoptionState? Adoption => null;

    /// <summary>
    /// True while an adopted chain still serves and this one waits for its new maps to hold the
    /// configuration (an upgrade whose map layouts changed): <see cref="SwitchToNewChain"/> then.
    /// </summary>
    bool SwitchPending => false;

    /// <summary>The plugins whose maps are new: the switch waits until the configuration is in them.</summary>
    IReadOnlyCollection<string> AwaitingConfig => [];

    /// <summary>Switches the attached entry programs to this datapath's chain (make-before-break); no-op unless <see cref="SwitchPending"/>.</summary>
    void SwitchToNewChain()
    {
    }

    /// <summary>True when disposing leaves the kernel data path running (kept, see <c>--keep-on-exit</c>).</summary>
    bool KeepsRunning => false;

    /// <summary>Connect decisions counted by reason, summed over CPUs.</summary>
    IReadOnlyDictionary<KmReason, ulong> ReadStats();

    /// <summary>Loads a new version of an active plugin beside the old one (see <see cref="ChainDatapath.StageReplacement"/>).</summary>
    PluginReplacement StageReplacement(PluginCandidate candidate);

    /// <summary>Swaps the staged version in.</summary>
    void CommitReplacement();

    /// <summary>Drops the staged version; the old one serves on.</summary>
    void AbandonReplacement();
}

/// <summary>A plugin in the chain, as the update policy sees it.</summary>
public interface IChainMember
{
    /// <summary>The plugin's name.</summary>
    string Name { get; }

    /// <summary>Its version.</summary>
    string Version { get; }

    /// <summary>The chain ABI it was built for (<c>1.2</c>).</summary>
    string Abi { get; }

    /// <summary>Its tail-call slot in each chain it serves.</summary>
    IReadOnlyDictionary<ChainHook, int> Slots { get; }

    /// <summary>The names of its own maps (not the core's shared <c>km_*</c> maps).</summary>
    IReadOnlyList<string> MapNames { get; }

    /// <summary>Its translator.</summary>
    ITranslator Translator { get; }

    /// <summary>Version and content hashes of what was loaded: a reload replaces the plugin only when this changes.</summary>
    string Fingerprint { get; }

    /// <summary>The counters its manifest declares, summed over CPUs, in the manifest's order; empty when it declares none.</summary>
    IReadOnlyList<KeyValuePair<string, ulong>> ReadCounters();
}
