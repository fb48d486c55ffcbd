using System.Net;
using Kmesh.Plugins.LoadBalance;
using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Translation;
using static Kmesh.Plugins.Tests.Resources;

namespace Kmesh.Plugins.Tests;

public class LoadBalanceTranslatorTests
{
    private static readonly string[] Three = ["10.0.1.1:9080", "10.0.1.2:9080", "10.0.1.3:9080"];

    [Fact]
    public void StaticCluster_RoundRobinThreeEndpoints_ScheduleIsExactlyTheEndpoints()
    {
        var snapshot = new SnapshotBuilder().Cluster(StaticCluster("reviews", "ROUND_ROBIN", Three)).Build();

        var output = Translation.LoadBalance(snapshot);

        output.AssertNoDiagnostics();
        var entry = output.ClusterEntry(snapshot, "reviews");
        Assert.Equal(LbPolicy.RoundRobin, entry.Policy);
        Assert.Equal(3u, entry.LengthV4);
        var slots = output.Slots(snapshot, "reviews", LbFamily.V4);
        Assert.Equal(Three.Order(), slots.Select(s => s.Address.ToString()).Order());
        Assert.All(slots, s => Assert.Equal(KmAddr.AfInet, s.Address.Family));
        Assert.All(slots, s => Assert.Equal(snapshot.Ids.EndpointId(s.Address.ToIPEndPoint()), s.EndpointId));
        Assert.Equal(3, slots.Select(s => s.EndpointId).Distinct().Count());
        Assert.Equal(9080, slots[0].Address.Port);
    }

    [Theory]
    [InlineData("ROUND_ROBIN", LbPolicy.RoundRobin, false, 3)]
    [InlineData("RANDOM", LbPolicy.Random, false, 3)]
    [InlineData("LEAST_REQUEST", LbPolicy.LeastRequest, false, 3)]
    [InlineData("RING_HASH", LbPolicy.ConsistentHash, false, 1024)]  // Envoy's minimum_ring_size
    [InlineData("MAGLEV", LbPolicy.ConsistentHash, false, 4093)]     // our default table size
    [InlineData("CLUSTER_PROVIDED", LbPolicy.RoundRobin, true, 3)]
    public void LbPolicy_Recorded_UnsupportedOnesWarnAndFallBackToRoundRobin(string envoyPolicy, LbPolicy expected, bool warns, int slots)
    {
        var snapshot = new SnapshotBuilder().Cluster(StaticCluster("reviews", envoyPolicy, Three)).Build();

        var output = Translation.LoadBalance(snapshot);

        Assert.Equal(expected, output.ClusterEntry(snapshot, "reviews").Policy);
        if (warns)
            Assert.Equal("lb_policy", output.AssertDiagnostic(DiagnosticSeverity.Warning, "cluster reviews", envoyPolicy.Replace("_", "")).Field);
        else
            output.AssertNoDiagnostics();
        Assert.Equal(slots, output.Slots(snapshot, "reviews", LbFamily.V4).Count);
    }

    [Fact]
    public void TypedLoadBalancingPolicy_SupersedesLbPolicy()
    {
        // lb_policy is ignored by Envoy once load_balancing_policy is set.
        var cluster = Cluster("""
            {
              "name": "reviews",
              "type": "EDS",
              "lb_policy": "RANDOM",
              "load_balancing_policy": { "policies": [ { "typed_extension_config": {
                "name": "envoy.load_balancing_policies.least_request",
                "typed_config": { "@type": "type.googleapis.com/envoy.extensions.load_balancing_policies.least_request.v3.LeastRequest" } } } ] }
            }
            """);
        var snapshot = new SnapshotBuilder().Cluster(cluster).Build();

        var output = Translation.LoadBalance(snapshot);

        output.AssertNoDiagnostics();
        Assert.Equal(LbPolicy.LeastRequest, output.ClusterEntry(snapshot, "reviews").Policy);
        Assert.Equal(2u, output.ClusterEntry(snapshot, "reviews").ChoiceCount);
    }

    [Fact]
    public void EndpointWeights_ThreeToOne_FourSlotsInterleaved()
    {
        var snapshot = new SnapshotBuilder()
            .Cluster(EdsCluster("reviews"))
            .Endpoints("reviews", LoadAssignment($$"""
                { "cluster_name": "reviews", "endpoints": [ { "lb_endpoints": [
                  {{LbEndpoint("10.0.1.1:9080", weight: 3)}}, {{LbEndpoint("10.0.1.2:9080", weight: 1)}} ] } ] }
                """))
            .Build();

        var output = Translation.LoadBalance(snapshot);

        output.AssertNoDiagnostics();
        var slots = output.Slots(snapshot, "reviews", LbFamily.V4).Select(s => s.Address.ToString()).ToList();
        Assert.Equal(4, slots.Count);
        Assert.Equal(3, slots.Count(s => s == "10.0.1.1:9080"));
        Assert.Equal(1, slots.Count(s => s == "10.0.1.2:9080"));
        Assert.True(WeightedScheduleTests.LongestRun(slots) <= 2, "A ran 3 times in a row: " + string.Join(" ", slots));
    }

    [Theory]
    [InlineData("UNHEALTHY", false)]
    [InlineData("DRAINING", false)]
    [InlineData("TIMEOUT", false)]
    [InlineData("HEALTHY", true)]
    [InlineData("UNKNOWN", true)]
    [InlineData("DEGRADED", true)]
    public void HealthStatus_UnhealthyAndDrainingEndpointsExcluded(string health, bool used)
    {
        var snapshot = new SnapshotBuilder()
            .Cluster(EdsCluster("reviews"))
            .Endpoints("reviews", LoadAssignment($$"""
                { "cluster_name": "reviews", "endpoints": [ { "lb_endpoints": [
                  {{LbEndpoint("10.0.1.1:9080")}}, {{LbEndpoint("10.0.1.2:9080", health: health)}} ] } ] }
                """))
            .Build();

        var output = Translation.LoadBalance(snapshot);

        var addresses = output.Slots(snapshot, "reviews", LbFamily.V4).Select(s => s.Address.ToString()).ToList();
        Assert.Equal(used, addresses.Contains("10.0.1.2:9080"));
        Assert.Contains("10.0.1.1:9080", addresses);
        output.AssertNoDiagnostics();
    }

    [Theory]
    [InlineData("UNHEALTHY", new[] { "10.0.2.1:9080", "10.0.2.2:9080" })]
    [InlineData("HEALTHY", new[] { "10.0.1.1:9080" })]
    public void Priorities_PriorityZeroWithoutUsableEndpoint_FailsOverToPriorityOne(string priorityZeroHealth, string[] expected)
    {
        var snapshot = new SnapshotBuilder()
            .Cluster(EdsCluster("reviews"))
            .Endpoints("reviews", LoadAssignment($$"""
                { "cluster_name": "reviews", "endpoints": [
                  { "priority": 1, "locality": { "zone": "b" }, "lb_endpoints": [ {{LbEndpoint("10.0.2.1:9080")}}, {{LbEndpoint("10.0.2.2:9080")}} ] },
                  { "locality": { "zone": "a" }, "lb_endpoints": [ {{LbEndpoint("10.0.1.1:9080", health: priorityZeroHealth)}} ] },
                  { "priority": 2, "lb_endpoints": [ {{LbEndpoint("10.0.3.1:9080")}} ] } ] }
                """))
            .Build();

        var output = Translation.LoadBalance(snapshot);

        Assert.Equal(expected.Order(), output.Slots(snapshot, "reviews", LbFamily.V4).Select(s => s.Address.ToString()).Order());
    }

    [Fact]
    public void Ipv4OnlyCluster_Ipv6ConnectsGetV4MappedAddresses()
    {
        var snapshot = new SnapshotBuilder().Cluster(StaticCluster("reviews", "ROUND_ROBIN", Three)).Build();

        var output = Translation.LoadBalance(snapshot);

        var entry = output.ClusterEntry(snapshot, "reviews");
        Assert.Equal(3u, entry.LengthV6);
        var v6 = output.Slots(snapshot, "reviews", LbFamily.V6);
        Assert.All(v6, s => Assert.Equal(KmAddr.AfInet6, s.Address.Family));
        Assert.Equal(
            ["[::ffff:10.0.1.1]:9080", "[::ffff:10.0.1.2]:9080", "[::ffff:10.0.1.3]:9080"],
            v6.Select(s => s.Address.ToString()).Order());
        var first = v6[0].Address.ToIPEndPoint();
        Assert.True(first.Address.IsIPv4MappedToIPv6);
        // The same backend keeps one endpoint id whichever family reached it.
        var v4 = output.Slots(snapshot, "reviews", LbFamily.V4);
        Assert.Equal(v4.Select(s => s.EndpointId).Order(), v6.Select(s => s.EndpointId).Order());
    }

    [Fact]
    public void Ipv6OnlyCluster_Ipv4ConnectsHaveNoSchedule()
    {
        var snapshot = new SnapshotBuilder().Cluster(StaticCluster("ratings", "ROUND_ROBIN", "[fd00:20::1]:9080", "[fd00:20::2]:9080")).Build();

        var output = Translation.LoadBalance(snapshot);

        var entry = output.ClusterEntry(snapshot, "ratings");
        Assert.Equal(0u, entry.LengthV4);
        Assert.Equal(2u, entry.LengthV6);
        Assert.Empty(output.Slots(snapshot, "ratings", LbFamily.V4));
        Assert.All(output.Slots(snapshot, "ratings", LbFamily.V6), s => Assert.Equal(KmAddr.AfInet6, s.Address.Family));
    }

    [Fact]
    public void DualStackCluster_EachFamilyGetsItsOwnEndpoints()
    {
        var snapshot = new SnapshotBuilder()
            .Cluster(StaticCluster("details", "ROUND_ROBIN", "10.0.3.1:9080", "[fd00:30::1]:9080", "10.0.3.2:9080"))
            .Build();

        var output = Translation.LoadBalance(snapshot);

        Assert.Equal(["10.0.3.1:9080", "10.0.3.2:9080"], output.Slots(snapshot, "details", LbFamily.V4).Select(s => s.Address.ToString()).Order());
        Assert.Equal("[fd00:30::1]:9080", Assert.Single(output.Slots(snapshot, "details", LbFamily.V6)).Address.ToString());
    }

    [Fact]
    public void NoEndpoints_LengthsZeroSoTheKernelRefusesTheConnect()
    {
        var snapshot = new SnapshotBuilder()
            .Cluster(EdsCluster("not-yet"))      // EDS has not answered
            .Cluster(EdsCluster("scaled-to-zero"))
            .Endpoints("scaled-to-zero", LoadAssignment("""{ "cluster_name": "scaled-to-zero" }"""))
            .Cluster(EdsCluster("all-down"))
            .Endpoints("all-down", LoadAssignment($$"""
                { "cluster_name": "all-down", "endpoints": [ { "lb_endpoints": [ {{LbEndpoint("10.0.1.1:80", health: "UNHEALTHY")}} ] } ] }
                """))
            .Build();

        var output = Translation.LoadBalance(snapshot);

        foreach (var cluster in new[] { "not-yet", "scaled-to-zero", "all-down" })
        {
            var entry = output.ClusterEntry(snapshot, cluster);
            Assert.Equal(0u, entry.LengthV4);
            Assert.Equal(0u, entry.LengthV6);
        }
        Assert.Equal(0, output.LbSchedule().Count);
        output.AssertNoDiagnostics();
    }

    [Theory]
    [InlineData("""{ "endpoint": { "address": { "socket_address": { "address": "reviews.local", "port_value": 80 } } } }""", "not an IP address")]
    [InlineData("""{ "endpoint": { "address": { "pipe": { "path": "/run/app.sock" } } } }""", "socket addresses")]
    [InlineData("""{ "endpoint": { "address": { "socket_address": { "address": "10.0.1.9", "port_value": 0 } } } }""", "port")]
    [InlineData("""{ "endpoint_name": "named" }""", "endpoint_name")]
    public void UnusableEndpoint_SkippedWithAWarning(string lbEndpoint, string mentions)
    {
        var snapshot = new SnapshotBuilder()
            .Cluster(EdsCluster("reviews"))
            .Endpoints("reviews", LoadAssignment($$"""
                { "cluster_name": "reviews", "endpoints": [ { "lb_endpoints": [ {{LbEndpoint("10.0.1.1:9080")}}, {{lbEndpoint}} ] } ] }
                """))
            .Build();

        var output = Translation.LoadBalance(snapshot);

        Assert.Equal("10.0.1.1:9080", Assert.Single(output.Slots(snapshot, "reviews", LbFamily.V4)).Address.ToString());
        var warning = output.AssertDiagnostic(DiagnosticSeverity.Warning, "cluster reviews", mentions);
        Assert.StartsWith("endpoints[0].lb_endpoints[1]", warning.Field);
    }

    [Theory]
    [InlineData("ROUND_ROBIN")]
    [InlineData("RANDOM")]
    [InlineData("LEAST_REQUEST")]
    public void TenThousandEndpoints_AllUsed_EachWithItsShare_BothFamilies(string policy)
    {
        var endpoints = Enumerable.Range(0, 10_000).Select(i => $"10.1.{i / 256}.{i % 256}:80").ToArray();
        var snapshot = new SnapshotBuilder().Cluster(StaticCluster("big", policy, endpoints)).Build();

        var output = Translation.LoadBalance(snapshot);

        output.AssertNoDiagnostics();
        var entry = output.ClusterEntry(snapshot, "big");
        Assert.Equal(10_000u, entry.LengthV4);
        Assert.Equal(10_000u, entry.LengthV6); // as v4-mapped addresses
        foreach (var family in new[] { LbFamily.V4, LbFamily.V6 })
        {
            var shares = output.Shares(snapshot, "big", family);
            Assert.Equal(10_000, shares.Count);
            Assert.All(shares.Values, share => Assert.Equal(1e-4, share, 1e-12));
        }
    }

    [Fact]
    public void TenThousandWeightedEndpoints_AliasTable_SharesWithinAThousandthOfTheirWeights()
    {
        // Weights 1..10 000 sum far beyond a schedule's 1 024 slots: an alias table, one column each.
        var endpoints = Enumerable.Range(0, 10_000).Select(i => $$"""{{LbEndpoint($"10.1.{i / 256}.{i % 256}:80", weight: (uint)i + 1)}}""");
        var snapshot = new SnapshotBuilder().Cluster(Cluster($$"""
            { "name": "big", "type": "STATIC", "lb_policy": "RANDOM",
              "load_assignment": { "cluster_name": "big", "endpoints": [ { "lb_endpoints": [ {{string.Join(", ", endpoints)}} ] } ] } }
            """)).Build();

        var output = Translation.LoadBalance(snapshot);

        output.AssertNoDiagnostics();
        var shares = output.Shares(snapshot, "big", LbFamily.V4);
        const double total = 10_000.0 * 10_001 / 2;
        for (var i = 0; i < 10_000; i++)
        {
            var expected = (i + 1) / total;
            var share = shares[$"10.1.{i / 256}.{i % 256}:80"];
            Assert.True(Math.Abs(share - expected) <= 0.001 * expected, $"endpoint {i}: {share:E6} for {expected:E6}");
        }
    }

    [Fact]
    public void EndpointsBeyondTheLimit_AnErrorNamingTheLimit()
    {
        var endpoints = Enumerable.Range(0, LoadBalanceLimit + 1).Select(i => $"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}:80").ToArray();
        var snapshot = new SnapshotBuilder().Cluster(StaticCluster("huge", "ROUND_ROBIN", endpoints)).Build();

        var output = Translation.LoadBalance(snapshot);

        output.AssertDiagnostic(DiagnosticSeverity.Error, "cluster huge", "262144");
        Assert.Equal(0u, output.ClusterEntry(snapshot, "huge").LengthV4);
    }

    // LB_MAX_ENDPOINTS in loadbalance.h.
    private const int LoadBalanceLimit = 262_144;

    [Fact]
    public void SmallTables_AreInTheClusterRecord_LargerOnesInTheScheduleMap()
    {
        static string[] Endpoints(int n, int net) => Enumerable.Range(1, n).Select(i => $"10.{net}.0.{i}:80").ToArray();
        var snapshot = new SnapshotBuilder()
            .Cluster(StaticCluster("a", "ROUND_ROBIN", Three))
            .Cluster(StaticCluster("b", "RANDOM", "[fd00::1]:80"))
            .Cluster(StaticCluster("twenty", "ROUND_ROBIN", Endpoints(20, 1)))
            .Cluster(StaticCluster("thirty", "ROUND_ROBIN", Endpoints(30, 2)))
            .Build();

        var output = Translation.LoadBalance(snapshot);

        // Three IPv4 endpoints: both tables (the IPv6 one holds them v4-mapped) in the record, one after the other.
        var a = output.ClusterEntry(snapshot, "a");
        Assert.True(a.IsInline(LbFamily.V4) && a.IsInline(LbFamily.V6));
        Assert.Equal((0u, 3u), (a.InlineBaseV4, a.InlineBaseV6));
        var b = output.ClusterEntry(snapshot, "b");
        Assert.Equal((0u, 1u, 0u), (b.LengthV4, b.LengthV6, b.InlineBaseV6));
        Assert.True(b.IsInline(LbFamily.V6));
        // 20 + 20 columns do not fit 28: IPv4 in the record, IPv6 in lb_schedule; 30 fits neither.
        var twenty = output.ClusterEntry(snapshot, "twenty");
        Assert.True(twenty.IsInline(LbFamily.V4));
        Assert.False(twenty.IsInline(LbFamily.V6));
        Assert.False(output.ClusterEntry(snapshot, "thirty").IsInline(LbFamily.V4));
        Assert.Equal(20 + 30 + 30, output.LbSchedule().Count);
        Assert.Equal(4, output.LbClusters().Count);
        // Every table reads back whole, wherever it is (Slots checks an inline one has no lb_schedule entries).
        foreach (var (cluster, family, length) in new[] { ("a", LbFamily.V4, 3), ("a", LbFamily.V6, 3), ("b", LbFamily.V6, 1), ("twenty", LbFamily.V4, 20),
                     ("twenty", LbFamily.V6, 20), ("thirty", LbFamily.V4, 30), ("thirty", LbFamily.V6, 30) })
            Assert.Equal(length, output.Slots(snapshot, cluster, family).Select(e => e.Address.ToString()).Distinct().Count());
    }

    [Fact]
    public void MapDeclarationOrder_ScheduleBeforeClusters()
    {
        // The core writes maps in declaration order and deletes in reverse: a cluster entry
        // must never point at slots that are not written yet (tables too large for its record).
        foreach (var snapshot in new[] { new SnapshotBuilder().Build(), new SnapshotBuilder().Cluster(StaticCluster("a", "ROUND_ROBIN", Three)).Build() })
        {
            var output = Translation.LoadBalance(snapshot);
            Assert.Equal(["lb_schedule", "lb_clusters"], output.Maps.Select(m => m.Name));
        }
    }

    [Fact]
    public void MapLayout_MatchesLoadBalanceHeader()
    {
        var output = Translation.LoadBalance(new SnapshotBuilder().Build());

        var schedule = output.LbSchedule();
        Assert.Equal(12, schedule.KeySize);   // struct lb_slot_key
        Assert.Equal(32, schedule.ValueSize); // struct lb_endpoint (km_addr + id + alias cut and slot)
        var clusters = output.LbClusters();
        Assert.Equal(4, clusters.KeySize);    // __u32 cluster id
        Assert.Equal(32 + 28 * 32, clusters.ValueSize); // struct lb_cluster: the header and LB_INLINE_SLOTS columns
    }

    [Fact]
    public void Translate_SameSnapshotTwice_IdenticalBytes()
    {
        var snapshot = new SnapshotBuilder()
            .Cluster(StaticCluster("a", "ROUND_ROBIN", Three))
            .Cluster(StaticCluster("b", "RANDOM", "[fd00::1]:80", "10.9.9.9:80"))
            .Cluster(EdsCluster("c"))
            .Endpoints("c", LoadAssignment($$"""
                { "cluster_name": "c", "endpoints": [ { "lb_endpoints": [
                  {{LbEndpoint("10.0.5.1:80", weight: 5)}}, {{LbEndpoint("10.0.5.2:80", weight: 1)}}, {{LbEndpoint("10.0.5.3:80", weight: 1)}} ] } ] }
                """))
            .Build();

        var first = Translation.LoadBalance(snapshot);
        var second = Translation.LoadBalance(snapshot);

        Assert.Equal(first.Dump(), second.Dump());
        Assert.Equal(7, first.Slots(snapshot, "c", LbFamily.V4).Count);
    }

    [Fact]
    public void RoutingAndLoadBalancing_AgreeOnClusterIds()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(TcpProxyListener("reviews", "127.10.0.10", 9080, "reviews"))
            .Cluster(StaticCluster("other", "ROUND_ROBIN", "10.0.9.9:80"))
            .Cluster(StaticCluster("reviews", "ROUND_ROBIN", Three))
            .Build();

        var routing = Translation.Routing(snapshot);
        var loadBalance = Translation.LoadBalance(snapshot);

        var clusterId = routing.RouteFor("127.10.0.10", 9080).Clusters[0].ClusterId;
        Assert.True(loadBalance.LbClusters().TryGet(clusterId, out var entry));
        Assert.Equal(3u, entry.LengthV4);
    }
}
