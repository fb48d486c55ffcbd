using Kmesh.Core.Datapath;
using Kmesh.Core.Plugins;
using Kmesh.Core.Reconcile;
using Kmesh.Core.Tests.Reconcile;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Translation;

namespace Kmesh.Core.Tests.Hosting;

/// <summary>A datapath without a kernel: each plugin's maps are in-memory maps with a capacity.</summary>
internal sealed class InMemoryDatapath : IDatapath
{
    private readonly Dictionary<(string Plugin, string Map), RecordingKernelMap> _maps = new();
    private readonly List<IChainMember> _plugins = new();

    public InMemoryDatapath(params (string Name, ITranslator Translator, int Capacity)[] plugins)
    {
        foreach (var (name, translator, capacity) in plugins)
        {
            _plugins.Add(new Member(name, translator));
            _maps[(name, ClusterTranslator.MapName)] = new RecordingKernelMap(name, ClusterTranslator.MapName, 4, 4, capacity, Journal);
        }
    }

    public bool Disposed { get; private set; }

    /// <summary>Every step written, across the plugins' maps, in order ("Upsert p.clusters x2").</summary>
    public List<string> Journal { get; } = [];

    /// <summary>What a plugin's map holds now, by key text.</summary>
    public IReadOnlyDictionary<string, byte[]> Contents(string plugin) => _maps[(plugin, ClusterTranslator.MapName)].Contents;

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

    public void Dispose() => Disposed = true;

    private sealed record Member(string Name, ITranslator Translator) : IChainMember
    {
        public string Version => "1.0.0";
        public string Abi => "1.0";
        public IReadOnlyDictionary<ChainHook, int> Slots { get; } = new Dictionary<ChainHook, int> { [ChainHook.Connect4] = 0 };
        public IReadOnlyList<string> MapNames { get; } = [ClusterTranslator.MapName];
        public string Fingerprint => "test";
        public IReadOnlyList<KeyValuePair<string, ulong>> ReadCounters() => [];
    }
}
