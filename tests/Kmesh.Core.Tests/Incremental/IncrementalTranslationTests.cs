using CsCheck;
using Kmesh.Core.Hosting;
using Kmesh.Core.Mesh;
using Kmesh.Plugins.CircuitBreaker;
using Kmesh.Plugins.FaultInject;
using Kmesh.Plugins.LoadBalance;
using Kmesh.Plugins.RateLimit;
using Kmesh.Plugins.Routing;
using Kmesh.Sdk.Translation;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kmesh.Core.Tests.Incremental;

/// <summary>
/// The incremental path (change sets, <see cref="IIncrementalTranslator"/>, the reconciler writing
/// only touched keys) against the reference, a full translation by fresh translators: after every
/// change of a random sequence the kernel maps hold byte for byte what the full path gives, and
/// the findings and facts are the same (issue 16).
/// </summary>
public sealed class IncrementalTranslationTests
{
    private static readonly (string Name, Func<ITranslator> Make)[] Plugins =
    [
        ("routing", () => new RoutingTranslator()),
        ("ratelimit", () => new RateLimitTranslator()),
        ("faultinject", () => new FaultInjectTranslator()),
        ("circuitbreaker", () => new CircuitBreakerTranslator()),
        ("loadbalance", () => new LoadBalanceTranslator()),
    ];

    /// <summary>One step: an operation on the mesh (<see cref="MeshModel.Apply"/>), or 9: an update prepared and refused.</summary>
    private static readonly Gen<(int Kind, int Target, int Value)[]> Sequences =
        Gen.Select(Gen.Int[0, 9], Gen.Int[0, 99], Gen.Int[0, 999]).Array[1, 30];

    [Fact]
    public void RandomChangeSequences_GiveTheFullTranslationsMaps_ByteForByte()
    {
        var incrementalSteps = 0;
        Sequences.Sample(steps =>
        {
            incrementalSteps += Run(steps);
        }, threads: 1, print: steps => string.Join("; ", steps.Select(s => $"{s.Kind}/{s.Target}/{s.Value}")));
        // The property must have exercised the incremental path, not only the full one.
        Assert.True(incrementalSteps > 100, $"only {incrementalSteps} incremental plugin updates");
    }

    /// <summary>Sequences the property once found wrong, kept as examples.</summary>
    [Theory]
    [InlineData("3/10/49; 2/7/589; 1/55/848; 1/8/345; 4/20/194")]
    public void FoundSequences_GiveTheFullTranslationsMaps(string steps) =>
        Run(steps.Split("; ").Select(s => s.Split('/').Select(int.Parse).ToArray()).Select(s => (s[0], s[1], s[2])).ToArray());

    [Fact]
    public void OneEndpointChange_AtFiftyClusters_RewritesOnlyThatClustersEntries()
    {
        var model = new MeshModel();
        var datapath = new MapsDatapath(Plugins.Select(p => (p.Name, p.Make())).ToArray());
        var updater = new MeshUpdater(datapath, new DnsCache(), NullLogger.Instance);
        for (var c = 0; c < MeshModel.ClusterSlots; c++)
        {
            model.Apply(3, c, 21); // EDS, RING_HASH, outlier detection and circuit breakers
            model.Apply(0, c, 5);
        }
        for (var l = 0; l < MeshModel.ListenerSlots; l++)
            model.Apply(6, l, l);
        var first = updater.Prepare(model.Build(fresh: false), "1");
        updater.Commit(first);
        Assert.Null(first.Changes);
        Assert.Equal(first.Snapshot.Listeners.Count + first.Snapshot.Clusters.Count + first.Snapshot.Endpoints.Count + first.Snapshot.Routes.Count, updater.LastTranslated);
        datapath.TakeCounts();

        model.Apply(0, 4, 11); // one cluster's endpoints move
        var change = updater.Prepare(model.Build(fresh: false), "2");
        var result = updater.Commit(change);

        Assert.NotNull(change.Changes);
        Assert.Equal(["c4"], change.Changes!.Endpoints);
        Assert.True(change.Changes.OnlyEndpoints);
        Assert.Equal(Plugins.Length, change.IncrementalPlugins);
        Assert.True(result.Complete);
        Assert.Equal(1, updater.LastTranslated); // what MemoryRelief weighs: not the whole mesh

        // Only the load-balancing entries of c4 (its schedule and its cluster entry) could change.
        var loadbalance = datapath.Maps.Where(m => m.Key.Plugin == "loadbalance").Sum(m => m.Value.Writes + m.Value.Deletes);
        var (writes, deletes) = datapath.TakeCounts();
        Assert.Equal(writes + deletes, loadbalance);
        Assert.InRange(writes + deletes, 1, 1024 * 2 + 1);
        AssertSameAsFull(model.Build(fresh: false), updater, datapath, change);

        // The same kind of change as SotW brings it (every resource a new object): translated
        // incrementally, but its snapshot is built from scratch, which MemoryRelief weighs as all of it.
        model.Apply(0, 5, 12);
        var sotw = updater.Prepare(model.Build(fresh: true), "3");
        updater.Commit(sotw);
        Assert.Equal(["c5"], sotw.Changes!.Endpoints);
        Assert.Equal(Plugins.Length, sotw.IncrementalPlugins);
        Assert.Equal(sotw.Snapshot.Listeners.Count + sotw.Snapshot.Clusters.Count + sotw.Snapshot.Endpoints.Count + sotw.Snapshot.Routes.Count, updater.LastTranslated);

        // A STATIC cluster's endpoint edit in a re-read file (as a bootstrap writes endpoints), which
        // hands on every other object: the snapshot is built anew, not derived (the cluster is a new
        // object), but what the update replaced, and MemoryRelief weighs, is that cluster and its endpoints.
        model.Apply(3, 6, 1); // c6 as before, but STATIC
        updater.Commit(updater.Prepare(model.Build(fresh: false), "4"));
        model.Apply(0, 6, 13);
        var edit = updater.Prepare(model.Build(fresh: false), "5");
        updater.Commit(edit);
        Assert.Equal(["c6"], edit.Changes!.Endpoints);
        Assert.True(edit.Changes.OnlyEndpoints);
        Assert.Equal(Plugins.Length, edit.IncrementalPlugins);
        Assert.Equal(2, updater.LastTranslated);
    }

    /// <summary>Runs one sequence; returns how many plugin updates were incremental.</summary>
    private static int Run((int Kind, int Target, int Value)[] steps)
    {
        var model = new MeshModel();
        var datapath = new MapsDatapath(Plugins.Select(p => (p.Name, p.Make())).ToArray());
        var updater = new MeshUpdater(datapath, new DnsCache(), NullLogger.Instance);
        var incremental = 0;
        var version = 0;
        foreach (var (kind, target, value) in steps)
        {
            version++;
            if (kind == 9)
            {
                // Refused (a NACK): translated, never committed; what the translators made of it must not leak.
                var other = new MeshModel();
                other.Apply(3, target, value);
                other.Apply(0, target, value);
                updater.Prepare(other.Build(fresh: true), $"refused {version}");
                continue;
            }
            model.Apply(kind, target, value);
            var resources = model.Build(fresh: value % 3 == 0);
            var prepared = updater.Prepare(resources, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var result = updater.Commit(prepared);
            Assert.True(result.Complete, string.Join("; ", result.PluginErrors));
            incremental += prepared.IncrementalPlugins;
            AssertSameAsFull(resources, updater, datapath, prepared);
        }
        return incremental;
    }

    private static void AssertSameAsFull(Kmesh.Xds.EnvoyResources resources, MeshUpdater updater, MapsDatapath datapath, PreparedUpdate prepared)
    {
        var diagnostics = new List<TranslationDiagnostic>();
        // The same ids: the daemon keeps one set for its lifetime, and a full translation uses it too.
        var snapshot = SnapshotBuilder.Build(resources, "reference", new DnsCache(), updater.Ids, diagnostics);
        // The snapshot the update was built on (derived from the previous one where it could be) is this one.
        Kmesh.Core.Tests.Mesh.SnapshotAssert.Same(snapshot, prepared.Snapshot);
        var facts = new List<string>();
        // As the daemon does: readers of the chain's work (routing) last, with what the others declared.
        var work = new Dictionary<string, IReadOnlySet<uint>>(StringComparer.Ordinal);
        var clusterWork = new Dictionary<string, IReadOnlySet<uint>>(StringComparer.Ordinal);
        foreach (var (name, translator) in Plugins.Select(p => (p.Name, Translator: p.Make())).OrderBy(p => p.Translator is IChainWorkReader))
        {
            var output = new TranslationOutput { ChainWork = translator is IChainWorkReader ? ChainWorkFolding.Fold(datapath.Translators, work, clusterWork) : ChainWork.None };
            translator.Translate(snapshot, output);
            if (output.DeclaredConnectWork is { } declared)
            {
                work[name] = declared.Services;
                clusterWork[name] = declared.Clusters;
            }
            diagnostics.AddRange(output.Diagnostics);
            facts.AddRange(output.Facts.Select(f => $"{name}: {f}"));
            foreach (var map in output.Maps)
            {
                var kernel = datapath.Maps[(name, map.Name)].Contents;
                Assert.True(kernel.Count == map.Count, $"{name}.{map.Name}: {kernel.Count} entries in the maps, the full translation has {map.Count} (changes: {prepared.Changes?.ToString() ?? "none, full"}; clusters {string.Join(",", prepared.Changes?.Clusters ?? new HashSet<string>())}; {prepared.IncrementalPlugins} incremental)");
                foreach (var (key, value) in map.Entries)
                {
                    Assert.True(kernel.TryGetValue(key, out var held), $"{name}.{map.Name}: key {key} missing");
                    Assert.True(held.AsSpan().SequenceEqual(value), $"{name}.{map.Name}: key {key} holds {Convert.ToHexString(held)}, the full translation {Convert.ToHexString(value)}");
                }
            }
        }
        Assert.Equal(diagnostics.Select(d => d.ToString()).Order(StringComparer.Ordinal), prepared.Diagnostics.Select(d => d.ToString()).Order(StringComparer.Ordinal));
        Assert.Equal(facts.Order(StringComparer.Ordinal), prepared.Facts.Select(f => $"{f.Plugin}: {f.Fact}").Order(StringComparer.Ordinal));
    }
}
