using Kmesh.Core.Datapath;
using Kmesh.Core.Plugins;
using Kmesh.Core.Reconcile;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Tests.Incremental;

/// <summary>
/// A datapath without a kernel for real plugin translators: each plugin's maps (found by
/// translating an empty mesh) are in-memory maps that count what is written to them.
/// </summary>
internal sealed class MapsDatapath : IDatapath
{
    private readonly Dictionary<(string Plugin, string Map), CountingMap> _maps = new();
    private readonly List<IChainMember> _plugins = new();

    public MapsDatapath(params (string Name, ITranslator Translator)[] plugins)
    {
        foreach (var (name, translator) in plugins)
        {
            var probe = new TranslationOutput();
            translator.Translate(MeshSnapshot.Empty(new StableMeshIds()), probe);
            _plugins.Add(new Member(name, translator, probe.Maps.Select(m => m.Name).ToList(), _plugins.Count));
            foreach (var map in probe.Maps)
                _maps[(name, map.Name)] = new CountingMap(map.Name, map.KeySize, map.ValueSize);
        }
    }

    /// <summary>Every map, by plugin and name.</summary>
    public IReadOnlyDictionary<(string Plugin, string Map), CountingMap> Maps => _maps;

    /// <summary>Entries written and removed since the last call, over all maps.</summary>
    public (int Writes, int Deletes) TakeCounts()
    {
        var counts = (_maps.Values.Sum(m => m.Writes), _maps.Values.Sum(m => m.Deletes));
        foreach (var map in _maps.Values)
            map.Writes = map.Deletes = 0;
        return counts;
    }

    public IReadOnlyList<IChainMember> Translators => _plugins;
    public IReadOnlyList<IChainMember> Plugins => _plugins;
    public IReadOnlyList<PluginStatus> Statuses => _plugins.Select(p => new PluginStatus(p.Name, p.Version, true, "connect4 slot 0")).ToList();
    public IKernelMap? PluginMap(string plugin, string map) => _maps.GetValueOrDefault((plugin, map));
    public Kmesh.Core.Telemetry.KernelTelemetry? Telemetry => null;
    public IReadOnlyDictionary<KmReason, ulong> ReadStats() => new Dictionary<KmReason, ulong>();
    public PluginReplacement StageReplacement(PluginCandidate candidate) => throw new NotSupportedException("no plugin files here");
    public void CommitReplacement() => throw new NotSupportedException();
    public void AbandonReplacement()
    {
    }

    public void Dispose()
    {
    }

    // Each plugin in its chain-order slot, of this SDK's ABI: the chain's work (1.4) is folded as in a daemon.
    private sealed record Member(string Name, ITranslator Translator, IReadOnlyList<string> MapNames, int Slot) : IChainMember
    {
        public string Version => "1.0.0";
        public string Abi => $"{ChainAbi.Major}.{ChainAbi.Minor}";
        public IReadOnlyDictionary<ChainHook, int> Slots { get; } = new Dictionary<ChainHook, int> { [ChainHook.Connect4] = Slot, [ChainHook.Connect6] = Slot };
        public string Fingerprint => "test";
        public IReadOnlyList<KeyValuePair<string, ulong>> ReadCounters() => [];
    }
}

/// <summary>An in-memory map: its entries by key bytes, and how many writes and removals reached it.</summary>
internal sealed class CountingMap(string name, int keySize, int valueSize) : IKernelMap
{
    public Dictionary<MapKey, byte[]> Contents { get; } = new();
    public int Writes { get; set; }
    public int Deletes { get; set; }

    public string Name => name;
    public int KeySize => keySize;
    public int ValueSize => valueSize;
    public int Capacity => 1 << 22; // room for bench/Kmesh.Bench.Micro's 10 000 services, which links this file

    public int Apply(MapStep step)
    {
        foreach (var op in step.Ops)
        {
            if (op.Kind == MapOpKind.Upsert)
            {
                Contents[op.Key] = op.Value!;
                Writes++;
            }
            else
            {
                Contents.Remove(op.Key);
                Deletes++;
            }
        }
        return step.Ops.Count;
    }
}
