using Kmesh.Bpf;
using Kmesh.Core.Plugins;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Translation;
using McMaster.NETCore.Plugins;

namespace Kmesh.Core.Datapath;

/// <summary>A plugin that is in the chain: its translator and its loaded eBPF object.</summary>
public sealed class ActivePlugin : IChainMember, IDisposable
{
    internal ActivePlugin(PluginCandidate candidate, ITranslator translator, PluginLoader loader, BpfObject bpfObject, IReadOnlyDictionary<ChainHook, int> slots)
    {
        Candidate = candidate;
        Translator = translator;
        Loader = loader;
        Object = bpfObject;
        Slots = slots;
        Fingerprint = FingerprintOf(candidate);
    }

    /// <summary>Version and content hashes of what was loaded: a reload replaces the plugin only when this changes.</summary>
    public string Fingerprint { get; }

    /// <summary>The fingerprint the files of <paramref name="candidate"/> have now.</summary>
    public static string FingerprintOf(PluginCandidate candidate) =>
        $"{candidate.Manifest.Version} {PluginSetResolver.Sha256(candidate.AssemblyPath)[..16]} {PluginSetResolver.Sha256(candidate.ObjectPath)[..16]}";

    /// <summary>Where it came from.</summary>
    public PluginCandidate Candidate { get; }

    /// <summary>The plugin's name.</summary>
    public string Name => Candidate.Manifest.Name;

    /// <summary>Its version.</summary>
    public string Version => Candidate.Manifest.Version;

    /// <summary>The chain ABI it was built for.</summary>
    public string Abi => Candidate.Manifest.Abi;

    /// <summary>The names of its own maps (not the core's shared <c>km_*</c> maps).</summary>
    public IReadOnlyList<string> MapNames =>
        Object.Maps.Where(m => !m.IsInternal && !m.Name.StartsWith("km_", StringComparison.Ordinal)).Select(m => m.Name).ToList();

    /// <summary>One of its own maps by name, for dumps; null when it has none such.</summary>
    public BpfMap? Map(string name) =>
        Object.Maps.FirstOrDefault(m => !m.IsInternal && m.Name == name && !m.Name.StartsWith("km_", StringComparison.Ordinal));

    /// <summary>Its translator.</summary>
    public ITranslator Translator { get; }

    /// <summary>Its tail-call slot in each chain it serves.</summary>
    public IReadOnlyDictionary<ChainHook, int> Slots { get; }

    internal PluginLoader Loader { get; }

    internal BpfObject Object { get; }

    /// <summary>The counters its manifest declares, summed over CPUs, in the manifest's order; empty when it declares none.</summary>
    public IReadOnlyList<KeyValuePair<string, ulong>> ReadCounters()
    {
        if (Candidate.Manifest.Counters is not { } counters)
            return [];
        var map = Object.Maps.FirstOrDefault(m => m.Name == counters.Map);
        var result = new List<KeyValuePair<string, ulong>>(counters.Names.Count);
        for (var i = 0; i < counters.Names.Count; i++)
        {
            ulong sum = 0;
            foreach (var cpu in map?.LookupPerCpu<uint, ulong>((uint)i) ?? [])
                sum += cpu;
            result.Add(KeyValuePair.Create(counters.Names[i], sum));
        }
        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Object.Dispose();
        Loader.Dispose();
    }
}
