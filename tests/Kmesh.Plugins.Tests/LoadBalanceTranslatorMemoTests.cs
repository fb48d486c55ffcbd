using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Kmesh.Plugins.LoadBalance;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using static Kmesh.Plugins.Tests.Resources;

namespace Kmesh.Plugins.Tests;

/// <summary>
/// A translator that saw earlier snapshots (and keeps what unchanged clusters became) must give
/// byte for byte what a fresh one gives, with the same findings and facts, and hand out new ids
/// in the same order.
/// </summary>
public class LoadBalanceTranslatorMemoTests
{
    /// <summary>One side of the comparison: its own ids, fed the same mesh.</summary>
    private sealed class World
    {
        public StableMeshIds Ids { get; set; } = new();

        public MeshSnapshot Snapshot(Dictionary<string, Cluster> clusters, Dictionary<string, ClusterLoadAssignment> endpoints, bool copy) =>
            new("v", [], clusters.Values.Select(c => copy ? c.Clone() : c),
                endpoints.Select(e => KeyValuePair.Create(e.Key, copy ? e.Value.Clone() : e.Value)), [], Ids);
    }

    private static ClusterLoadAssignment Assignment(params string[] lbEndpoints) => LoadAssignment($$"""
        { "cluster_name": "reviews", "endpoints": [ { "lb_endpoints": [ {{string.Join(", ", lbEndpoints)}} ] } ] }
        """);

    private static Cluster InvalidLeastRequest(string name) => Cluster($$"""
        { "name": "{{name}}", "type": "EDS", "lb_policy": "LEAST_REQUEST", "least_request_lb_config": { "choice_count": 1 } }
        """);

    [Fact]
    public void WarmTranslator_SequenceOfChanges_SameOutputFindingsAndFactsAsAFreshOne()
    {
        var clusters = new Dictionary<string, Cluster>(StringComparer.Ordinal);
        var endpoints = new Dictionary<string, ClusterLoadAssignment>(StringComparer.Ordinal);
        void Static(Cluster cluster)
        {
            clusters[cluster.Name] = cluster;
            endpoints[cluster.Name] = cluster.LoadAssignment;
        }
        clusters["reviews"] = EdsCluster("reviews");
        endpoints["reviews"] = Assignment(LbEndpoint("10.0.1.1:9080"), LbEndpoint("10.0.1.2:9080"), LbEndpoint("[2001:db8::1]:9080"));
        Static(StaticCluster("ratings", "ROUND_ROBIN", "10.0.2.1:9080", "10.0.2.2:9080", "10.0.2.3:9080"));
        Static(StaticCluster("hashed", "MAGLEV", "10.0.3.1:9080", "10.0.3.2:9080"));
        Static(StaticCluster("provided", "CLUSTER_PROVIDED", "10.0.4.1:9080")); // a warning
        clusters["invalid"] = InvalidLeastRequest("invalid");                    // an error, left out
        clusters["empty"] = EdsCluster("empty");                                  // no endpoints yet

        var steps = new (string What, Action Change, bool Reparse)[]
        {
            ("first", () => { }, false),
            ("nothing changed, same objects", () => { }, false),
            ("nothing changed, parsed again", () => { }, true),
            ("endpoint added", () => endpoints["reviews"] = Assignment(LbEndpoint("10.0.1.1:9080"), LbEndpoint("10.0.1.2:9080"),
                LbEndpoint("[2001:db8::1]:9080"), LbEndpoint("10.0.1.9:9080")), false),
            ("endpoint removed", () => Static(StaticCluster("ratings", "ROUND_ROBIN", "10.0.2.1:9080", "10.0.2.3:9080")), false),
            ("health changed", () => endpoints["reviews"] = Assignment(LbEndpoint("10.0.1.1:9080", health: "UNHEALTHY"),
                LbEndpoint("10.0.1.2:9080"), LbEndpoint("[2001:db8::1]:9080"), LbEndpoint("10.0.1.9:9080")), false),
            ("weight changed", () => endpoints["reviews"] = Assignment(LbEndpoint("10.0.1.1:9080", health: "UNHEALTHY"),
                LbEndpoint("10.0.1.2:9080", weight: 3), LbEndpoint("[2001:db8::1]:9080"), LbEndpoint("10.0.1.9:9080")), true),
            ("policy changed", () =>
            {
                Static(StaticCluster("ratings", "RANDOM", "10.0.2.1:9080", "10.0.2.3:9080"));
                Static(StaticCluster("hashed", "RING_HASH", "10.0.3.1:9080", "10.0.3.2:9080"));
            }, false),
            ("endpoints arrive", () => endpoints["empty"] = Assignment(LbEndpoint("10.0.5.1:9080")), false),
            ("cluster removed", () =>
            {
                clusters.Remove("ratings");
                endpoints.Remove("ratings");
            }, false),
            ("cluster added back", () => Static(StaticCluster("ratings", "RANDOM", "10.0.2.1:9080", "10.0.2.3:9080")), false),
            ("invalid one fixed", () => clusters["invalid"] = EdsCluster("invalid", "LEAST_REQUEST"), true),
        };

        var warm = new World();
        var cold = new World();
        var translator = new LoadBalanceTranslator();
        foreach (var (what, change, reparse) in steps)
        {
            change();
            Compare(what, translator, warm.Snapshot(clusters, endpoints, copy: reparse), cold.Snapshot(clusters, endpoints, copy: true));
        }

        // The ids shift: new ids handed out in another order (a new core, a config check), same mesh.
        foreach (var world in new[] { warm, cold })
        {
            world.Ids = new StableMeshIds();
            world.Ids.ClusterId("someone-else");
            world.Ids.ClusterId("hashed");
            world.Ids.EndpointId(System.Net.IPEndPoint.Parse("10.0.2.3:9080"));
        }
        Compare("ids shifted", translator, warm.Snapshot(clusters, endpoints, copy: false), cold.Snapshot(clusters, endpoints, copy: true));
        Compare("ids shifted, then unchanged", translator, warm.Snapshot(clusters, endpoints, copy: false), cold.Snapshot(clusters, endpoints, copy: true));

        // Ids that coincide for the clusters already seen, while a new endpoint takes its id before theirs.
        foreach (var world in new[] { warm, cold })
            world.Ids = new StableMeshIds();
        endpoints["reviews"] = Assignment(LbEndpoint("10.0.9.9:9080"), LbEndpoint("10.0.1.2:9080", weight: 3));
        Compare("fresh ids, one change", translator, warm.Snapshot(clusters, endpoints, copy: false), cold.Snapshot(clusters, endpoints, copy: true));
    }

    private static void Compare(string step, LoadBalanceTranslator warm, MeshSnapshot warmSnapshot, MeshSnapshot coldSnapshot)
    {
        var expected = new TranslationOutput();
        new LoadBalanceTranslator().Translate(coldSnapshot, expected);
        var actual = new TranslationOutput();
        warm.Translate(warmSnapshot, actual);

        Assert.True(expected.Dump().SequenceEqual(actual.Dump()), $"{step}: map entries differ");
        Assert.Equal(expected.Maps.Select(m => m.Name), actual.Maps.Select(m => m.Name));
        Assert.Equal(expected.Diagnostics, actual.Diagnostics);
        Assert.Equal(expected.Facts, actual.Facts);
        Assert.NotEmpty(actual.Facts);
    }

    [Fact]
    public void WarmTranslator_UnchangedCluster_ReusesItsEntriesAndReportsAgain()
    {
        var builder = new SnapshotBuilder()
            .Cluster(StaticCluster("ratings", "ROUND_ROBIN", "10.0.2.1:9080", "10.0.2.2:9080"))
            .Cluster(InvalidLeastRequest("invalid"));
        var translator = new LoadBalanceTranslator();
        var first = new TranslationOutput();
        translator.Translate(builder.Build(), first);
        var second = new TranslationOutput();
        // Parsed again: equal content in new objects.
        var again = new MeshSnapshot("2", [], [StaticCluster("ratings", "ROUND_ROBIN", "10.0.2.1:9080", "10.0.2.2:9080"), InvalidLeastRequest("invalid")],
            [KeyValuePair.Create("ratings", StaticCluster("ratings", "ROUND_ROBIN", "10.0.2.1:9080", "10.0.2.2:9080").LoadAssignment)], [], builder.Ids);
        translator.Translate(again, second);

        Assert.Equal(first.Dump(), second.Dump());
        foreach (var (key, value) in first.LbSchedule().Entries)
            Assert.Same(value, second.LbSchedule().Entries[key]);
        second.AssertDiagnostic(DiagnosticSeverity.Error, "cluster invalid", "at least 2");
        // The facts themselves, not copies: a copy would have to write the endpoints' text that
        // the first translation deferred (at 10 000 clusters a quarter of a full translation).
        Assert.Equal(first.Facts, second.Facts, ReferenceEqualityComparer.Instance);
        Assert.Equal(first.Facts, second.Facts);
    }

    [Fact]
    public void Translator_ConsistentHashTable_OneValuePerEndpoint()
    {
        var snapshot = new SnapshotBuilder().Cluster(StaticCluster("hashed", "MAGLEV", "10.0.3.1:9080", "10.0.3.2:9080")).Build();

        var output = Translation.LoadBalance(snapshot);

        // 4093 slots per family, two endpoints: the values are shared, not copied per slot.
        Assert.Equal(2 * 4093, output.LbSchedule().Count);
        Assert.Equal(4, output.LbSchedule().Entries.Values.Distinct(ReferenceEqualityComparer.Instance).Count());
    }
}
