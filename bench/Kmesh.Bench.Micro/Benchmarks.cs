using BenchmarkDotNet.Attributes;
using Kmesh.Core.Mesh;
using Kmesh.Core.Reconcile;
using Kmesh.Plugins.LoadBalance;
using Kmesh.Plugins.Routing;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using Kmesh.Xds;

namespace Kmesh.Bench.Micro;

/// <summary>
/// What a config push of <see cref="Services"/> services × 10 endpoints costs the daemon, step by
/// step: parse the file, build the snapshot, translate (routing, load balancing), plan the map
/// writes against what is applied. The same generated mesh as the kernel benchmarks.
/// </summary>
[MemoryDiagnoser]
public class PushPipeline
{
    private string _text = "";
    private EnvoyResources _resources = null!;
    private StableMeshIds _ids = null!;
    private MeshSnapshot _snapshot = null!;
    private MeshSnapshot _snapshotOneChanged = null!;
    private LoadBalanceTranslator _warm = null!;
    private bool _warmOnChanged;
    private IReadOnlyList<PluginDesiredMaps> _desired = [];
    private IReadOnlyList<PluginDesiredMaps> _desiredOneChanged = [];
    private AppliedMaps _empty = null!;
    private AppliedMaps _applied = null!;

    [Params(10000)]
    public int Services { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _text = MeshConfig.Generate(Services, probeOpen: false);
        _resources = EnvoyConfigFile.Parse("mesh.yaml", _text);
        _ids = new StableMeshIds();
        _snapshot = Snapshot(_resources);
        _desired = Translate(_snapshot);
        _snapshotOneChanged = Snapshot(EnvoyConfigFile.Parse("mesh.yaml", MeshConfig.Generate(Services, probeOpen: true)));
        _desiredOneChanged = Translate(_snapshotOneChanged);
        _warm = new LoadBalanceTranslator();
        _warm.Translate(_snapshot, new TranslationOutput());
        _empty = new AppliedMaps();
        _applied = new AppliedMaps();
        foreach (var plugin in _desired)
        {
            foreach (var map in plugin.Maps)
            {
                foreach (var (key, value) in map.Entries)
                    _applied.Record(plugin.Plugin, map.Name, new MapOp(MapOpKind.Upsert, key, value));
            }
        }
    }

    private MeshSnapshot Snapshot(EnvoyResources resources) => SnapshotBuilder.Build(resources, "1", new DnsCache(), _ids, []);

    private static PluginDesiredMaps[] Translate(MeshSnapshot snapshot)
    {
        var routing = new TranslationOutput();
        new RoutingTranslator().Translate(snapshot, routing);
        var lb = new TranslationOutput();
        new LoadBalanceTranslator().Translate(snapshot, lb);
        return [new("routing", routing.Maps), new("loadbalance", lb.Maps)];
    }

    [Benchmark(Description = "parse the YAML file")]
    public EnvoyResources Parse() => EnvoyConfigFile.Parse("mesh.yaml", _text);

    [Benchmark(Description = "build the snapshot")]
    public MeshSnapshot BuildSnapshot() => Snapshot(_resources);

    [Benchmark(Description = "routing translator")]
    public TranslationOutput Routing()
    {
        var output = new TranslationOutput();
        new RoutingTranslator().Translate(_snapshot, output);
        return output;
    }

    [Benchmark(Description = "loadbalance translator")]
    public TranslationOutput LoadBalance()
    {
        var output = new TranslationOutput();
        new LoadBalanceTranslator().Translate(_snapshot, output);
        return output;
    }

    /// <summary>
    /// The daemon's case: the same translator saw the previous push. Each run alternates between
    /// the two configs, which differ in one endpoint and are parsed apart (equal clusters, new objects).
    /// </summary>
    [Benchmark(Description = "loadbalance translator: one endpoint changed (warm)")]
    public TranslationOutput LoadBalanceWarm()
    {
        _warmOnChanged = !_warmOnChanged;
        var output = new TranslationOutput();
        _warm.Translate(_warmOnChanged ? _snapshotOneChanged : _snapshot, output);
        return output;
    }

    [Benchmark(Description = "planner: everything new (first push)")]
    public IReadOnlyList<MapStep> PlanFirstPush() => ReconcilePlanner.Plan(_desired, _empty);

    [Benchmark(Description = "planner: one endpoint changed")]
    public IReadOnlyList<MapStep> PlanOneEndpoint() => ReconcilePlanner.Plan(_desiredOneChanged, _applied);
}
