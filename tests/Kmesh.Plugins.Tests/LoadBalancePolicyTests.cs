using Kmesh.Plugins.LoadBalance;
using Kmesh.Sdk.Translation;
using static Kmesh.Plugins.Tests.Resources;

namespace Kmesh.Plugins.Tests;

/// <summary>
/// LEAST_REQUEST, RING_HASH and MAGLEV as the translator writes them: the settings Envoy reads
/// (lb_policy with its *_lb_config, or the typed load_balancing_policy), what is refused, and the
/// consistent-hash tables' properties clients rely on: a stable mapping, shares that follow the
/// weights, and only about 1/N of the entries moving when an endpoint is added.
/// </summary>
public class LoadBalancePolicyTests
{
    private static readonly string[] Four = ["10.0.1.1:80", "10.0.1.2:80", "10.0.1.3:80", "10.0.1.4:80"];

    private static Kmesh.Sdk.Snapshot.MeshSnapshot Snapshot(string clusterJson) =>
        new SnapshotBuilder().Cluster(Cluster(clusterJson)).Build();

    private static string ClusterJson(string policyFields, params string[] endpoints) => $$"""
        {
          "name": "c", "type": "STATIC", {{policyFields}},
          "load_assignment": { "cluster_name": "c",
            "endpoints": [ { "lb_endpoints": [ {{string.Join(", ", endpoints.Select(e => LbEndpoint(e)))}} ] } ] }
        }
        """;

    private static string Typed(string type, string fields = "") => $$"""
        "load_balancing_policy": { "policies": [ { "typed_extension_config": { "name": "p",
          "typed_config": { "@type": "type.googleapis.com/{{type}}" {{fields}} } } } ] }
        """;

    [Theory]
    [InlineData("", 2u)]
    [InlineData(""", "least_request_lb_config": { "choice_count": 5 }""", 5u)]
    public void LeastRequest_ChoiceCount_DefaultsToEnvoysTwo(string config, uint expected)
    {
        var snapshot = Snapshot(ClusterJson("\"lb_policy\": \"LEAST_REQUEST\"" + config, Four));

        var output = Translation.LoadBalance(snapshot);

        output.AssertNoDiagnostics();
        Assert.Equal((LbPolicy.LeastRequest, expected), (output.ClusterEntry(snapshot, "c").Policy, output.ClusterEntry(snapshot, "c").ChoiceCount));
    }

    [Fact]
    public void LeastRequest_ChoiceCountOne_IsRefusedNamingTheField_OtherClustersStay()
    {
        var snapshot = new SnapshotBuilder()
            .Cluster(Cluster(ClusterJson("\"lb_policy\": \"LEAST_REQUEST\", \"least_request_lb_config\": { \"choice_count\": 1 }", Four)))
            .Cluster(StaticCluster("ok", "ROUND_ROBIN", "10.0.2.1:80"))
            .Build();

        var output = Translation.LoadBalance(snapshot);

        var error = output.AssertDiagnostic(DiagnosticSeverity.Error, "cluster c", "at least 2");
        Assert.Equal("least_request_lb_config.choice_count", error.Field);
        Assert.False(output.LbClusters().TryGet(snapshot.Ids.ClusterId("c"), out _));
        Assert.Equal(LbPolicy.RoundRobin, output.ClusterEntry(snapshot, "ok").Policy);
    }

    [Fact]
    public void LeastRequest_MoreChoicesThanTheKernelTakes_AreCappedWithAWarning()
    {
        var snapshot = Snapshot(ClusterJson("\"lb_policy\": \"LEAST_REQUEST\", \"least_request_lb_config\": { \"choice_count\": 100 }", Four));

        var output = Translation.LoadBalance(snapshot);

        output.AssertDiagnostic(DiagnosticSeverity.Warning, "cluster c", "at most 16");
        Assert.Equal(16u, output.ClusterEntry(snapshot, "c").ChoiceCount);
    }

    [Fact]
    public void Maglev_TableSizeNotPrime_IsRefused()
    {
        var snapshot = Snapshot(ClusterJson("\"lb_policy\": \"MAGLEV\", \"maglev_lb_config\": { \"table_size\": 1000 }", Four));

        var output = Translation.LoadBalance(snapshot);

        Assert.Equal("maglev_lb_config.table_size", output.AssertDiagnostic(DiagnosticSeverity.Error, "cluster c", "prime").Field);
        Assert.False(output.LbClusters().TryGet(snapshot.Ids.ClusterId("c"), out _));
    }

    [Fact]
    public void RingHash_MinimumLargerThanMaximum_IsRefused()
    {
        var snapshot = Snapshot(ClusterJson("\"lb_policy\": \"RING_HASH\", \"ring_hash_lb_config\": { \"minimum_ring_size\": 4096, \"maximum_ring_size\": 2048 }", Four));

        var output = Translation.LoadBalance(snapshot);

        Assert.Equal("ring_hash_lb_config.minimum_ring_size", output.AssertDiagnostic(DiagnosticSeverity.Error, "cluster c").Field);
    }

    [Theory]
    [InlineData("envoy.extensions.load_balancing_policies.maglev.v3.Maglev", """, "table_size": 1021""", LbPolicy.ConsistentHash, 1021)]
    [InlineData("envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash", """, "minimum_ring_size": 2048""", LbPolicy.ConsistentHash, 2048)]
    [InlineData("envoy.extensions.load_balancing_policies.random.v3.Random", "", LbPolicy.Random, 4)]
    public void TypedPolicies_AreRead(string type, string fields, LbPolicy expected, int slots)
    {
        var snapshot = Snapshot(ClusterJson(Typed(type, fields), Four));

        var output = Translation.LoadBalance(snapshot);

        output.AssertNoDiagnostics();
        Assert.Equal(expected, output.ClusterEntry(snapshot, "c").Policy);
        Assert.Equal(slots, output.Slots(snapshot, "c", LbFamily.V4).Count);
    }

    [Fact]
    public void TypedPolicyList_TheFirstSupportedOneWins_TheSkippedOneIsNamed()
    {
        var snapshot = Snapshot(ClusterJson("""
            "load_balancing_policy": { "policies": [
              { "typed_extension_config": { "name": "cswrr", "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.load_balancing_policies.client_side_weighted_round_robin.v3.ClientSideWeightedRoundRobin" } } },
              { "typed_extension_config": { "name": "lr", "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest", "choice_count": 3 } } } ] }
            """, Four));

        var output = Translation.LoadBalance(snapshot);

        var skipped = output.AssertDiagnostic(DiagnosticSeverity.Info, "cluster c", "ClientSideWeightedRoundRobin");
        Assert.Equal("load_balancing_policy.policies[0].typed_extension_config.typed_config", skipped.Field);
        Assert.Equal((LbPolicy.LeastRequest, 3u), (output.ClusterEntry(snapshot, "c").Policy, output.ClusterEntry(snapshot, "c").ChoiceCount));
    }

    [Fact]
    public void WrrLocality_TurnsOnLocalityWeights_AroundItsInnerPolicy()
    {
        var snapshot = Snapshot("""
            { "name": "c", "type": "STATIC",
              "load_balancing_policy": { "policies": [ { "typed_extension_config": { "name": "wrr", "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.load_balancing_policies.wrr_locality.v3.WrrLocality",
                "endpoint_picking_policy": { "policies": [ { "typed_extension_config": { "name": "rr", "typed_config": {
                  "@type": "type.googleapis.com/envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin" } } } ] } } } } ] },
              "load_assignment": { "cluster_name": "c", "endpoints": [
                { "locality": { "zone": "a" }, "load_balancing_weight": 3, "lb_endpoints": [ { "endpoint": { "address": { "socket_address": { "address": "10.0.1.1", "port_value": 80 } } } } ] },
                { "locality": { "zone": "b" }, "load_balancing_weight": 1, "lb_endpoints": [ { "endpoint": { "address": { "socket_address": { "address": "10.0.1.2", "port_value": 80 } } } } ] } ] } }
            """);

        var output = Translation.LoadBalance(snapshot);

        output.AssertNoDiagnostics();
        var slots = output.Slots(snapshot, "c", LbFamily.V4).Select(s => s.Address.ToString()).ToList();
        Assert.Equal(3, slots.Count(s => s == "10.0.1.1:80"));
        Assert.Equal(1, slots.Count(s => s == "10.0.1.2:80"));
    }

    [Fact]
    public void OutlierDetection_SetsTheFlagTheKernelSkipsEjectedEndpointsBy()
    {
        var with = Snapshot(ClusterJson("\"lb_policy\": \"ROUND_ROBIN\", \"outlier_detection\": { \"consecutive_5xx\": 3 }", Four));
        var without = Snapshot(ClusterJson("\"lb_policy\": \"ROUND_ROBIN\"", Four));

        Assert.Equal(LbFlags.OutlierDetection, Translation.LoadBalance(with).ClusterEntry(with, "c").Flags);
        Assert.Equal(LbFlags.None, Translation.LoadBalance(without).ClusterEntry(without, "c").Flags);
    }

    [Theory]
    [InlineData("MAGLEV")]
    [InlineData("RING_HASH")]
    public void ConsistentHash_SharesFollowTheWeights(string policy)
    {
        var endpoints = new[] { LbEndpoint("10.0.1.1:80", weight: 3), LbEndpoint("10.0.1.2:80", weight: 1) };
        var snapshot = Snapshot($$"""
            { "name": "c", "type": "STATIC", "lb_policy": "{{policy}}",
              "load_assignment": { "cluster_name": "c", "endpoints": [ { "lb_endpoints": [ {{string.Join(", ", endpoints)}} ] } ] } }
            """);

        var table = Translation.LoadBalance(snapshot).Slots(snapshot, "c", LbFamily.V4);

        var heavyShare = table.Count(s => s.Address.ToString() == "10.0.1.1:80") / (double)table.Count;
        Assert.InRange(heavyShare, 0.70, 0.80);
    }

    // Stray moves (between old endpoints): Maglev's permutations shift a little; the ring only
    // gains the new endpoint's points (RingHashTable says why that differs from Envoy).
    [Theory]
    [InlineData("MAGLEV", 0.05)]
    [InlineData("RING_HASH", 0.0)]
    public void ConsistentHash_AddingAFifthEndpoint_MovesAboutAFifth_MostlyToIt(string policy, double strayAllowed)
    {
        var before = Table(policy, Four);
        var after = Table(policy, [.. Four, "10.0.1.5:80"]);

        var moved = Enumerable.Range(0, before.Count).Where(i => before[i] != after[i]).ToList();
        var movedShare = moved.Count / (double)before.Count;
        var stray = moved.Count(i => after[i] != "10.0.1.5:80") / (double)before.Count;

        Assert.InRange(movedShare, 0.12, 0.30);
        Assert.InRange(stray, 0.0, strayAllowed);
    }

    [Theory]
    [InlineData("MAGLEV")]
    [InlineData("RING_HASH")]
    public void ConsistentHash_SameEndpointsInAnotherOrder_SameTable(string policy)
    {
        // A control plane may list endpoints in any order; clients must not move because of it.
        Assert.Equal(Table(policy, Four), Table(policy, [.. Four.Reverse()]));
    }

    private static List<string> Table(string policy, string[] endpoints)
    {
        var snapshot = Snapshot(ClusterJson($"\"lb_policy\": \"{policy}\"", endpoints));
        return Translation.LoadBalance(snapshot).Slots(snapshot, "c", LbFamily.V4).Select(s => s.Address.ToString()).ToList();
    }
}
