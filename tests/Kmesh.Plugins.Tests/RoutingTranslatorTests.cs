using System.Runtime.InteropServices;
using Kmesh.Plugins.Routing;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using static Kmesh.Plugins.Tests.Resources;

namespace Kmesh.Plugins.Tests;

public class RoutingTranslatorTests
{
    private const byte AfInet = 2;
    private const byte AfInet6 = 10;
    private const int MaxClusters = 16; // RT_MAX_CLUSTERS

    [Fact]
    public void TcpProxy_Ipv4Listener_OneRouteKeyedByVipPortInNetworkOrder()
    {
        var builder = new SnapshotBuilder().Listener(TcpProxyListener("reviews", "127.10.0.10", 9080, "reviews"));
        var snapshot = builder.Build();

        var output = Translation.Routing(snapshot);

        output.AssertNoDiagnostics();
        var routes = output.Routes();
        var (key, value) = Assert.Single(routes.Entries);
        // struct rt_key as the kernel hashes it: addr[16], port (network order), family, protocol.
        byte[] expectedKey = [127, 10, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x23, 0x78, AfInet, Translation.IpProtoTcp];
        Assert.Equal(expectedKey, key.Bytes);
        var route = MemoryMarshal.Read<RouteValue>(value);
        Assert.Equal(1u, route.Count);
        Assert.Equal(snapshot.Ids.ClusterId("reviews"), route.Clusters[0].ClusterId);
        Assert.Equal(snapshot.Ids.ServiceId("reviews"), route.ServiceId);
        Assert.Equal(route.Clusters[0].Upper, route.TotalWeight);
        Assert.Equal(value, Translation.ToBytes(output.RouteFor("127.10.0.10", 9080)));
    }

    [Fact]
    public void ChainWork_EachRouteCarriesTheSlotsWithNothingForItsService()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(TcpProxyListener("reviews", "127.10.0.10", 9080, "reviews"))
            .Listener(TcpProxyListener("ratings", "127.10.0.11", 9080, "ratings"))
            .Build();
        var reviews = snapshot.Ids.ServiceId("reviews");
        // Slot 1 has work for reviews only, slot 3 for nobody; connect6's slot 1 for both.
        var work = new ChainWork([
            new WorkSlot(Kmesh.Sdk.Abi.ChainHook.Connect4, 1, new HashSet<uint> { reviews }),
            new WorkSlot(Kmesh.Sdk.Abi.ChainHook.Connect4, 3, new HashSet<uint>()),
            new WorkSlot(Kmesh.Sdk.Abi.ChainHook.Connect6, 1, new HashSet<uint> { reviews, snapshot.Ids.ServiceId("ratings") }),
        ]);
        var output = new TranslationOutput { ChainWork = work };

        new RoutingTranslator().Translate(snapshot, output);

        Assert.Equal((1u << 3, 0u), (output.RouteFor("127.10.0.10", 9080).SkipSlots4, output.RouteFor("127.10.0.10", 9080).SkipSlots6));
        Assert.Equal(((1u << 1) | (1u << 3), 0u), (output.RouteFor("127.10.0.11", 9080).SkipSlots4, output.RouteFor("127.10.0.11", 9080).SkipSlots6));
        // Without chain work (a plugin set that declares none) nothing is skipped.
        Assert.Equal(0u, Translation.Routing(snapshot).RouteFor("127.10.0.11", 9080).SkipSlots4);
    }

    [Fact]
    public void ChainWork_PerCluster_RunsTheSlotForRoutesThatMayPickAClusterWithWork()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(TcpProxyListener("reviews", "127.10.0.10", 9080, "reviews"))
            .Listener(TcpProxyListener("ratings", "127.10.0.11", 9080, "ratings"))
            .Listener(ListenerWith("split", "127.10.0.12", 9080, WeightedTcpProxyFilter(("ratings", 99), ("reviews", 1))))
            .Build();
        // Slot 2 (a circuit breaker) has work for the cluster reviews and no service.
        var clusterWork = new HashSet<uint> { snapshot.Ids.ClusterId("reviews") };
        var work = new ChainWork([
            new WorkSlot(Kmesh.Sdk.Abi.ChainHook.Connect4, 2, new HashSet<uint>(), clusterWork),
            new WorkSlot(Kmesh.Sdk.Abi.ChainHook.Connect6, 2, new HashSet<uint>(), clusterWork),
        ]);
        var output = new TranslationOutput { ChainWork = work };

        new RoutingTranslator().Translate(snapshot, output);

        Assert.Equal(0u, output.RouteFor("127.10.0.10", 9080).SkipSlots4);
        Assert.Equal((1u << 2, 1u << 2), (output.RouteFor("127.10.0.11", 9080).SkipSlots4, output.RouteFor("127.10.0.11", 9080).SkipSlots6));
        // The mask is read before the weighted pick: one cluster with work runs the slot for all.
        Assert.Equal((0u, 0u), (output.RouteFor("127.10.0.12", 9080).SkipSlots4, output.RouteFor("127.10.0.12", 9080).SkipSlots6));
        // A reader that does not say its clusters never skips a slot with cluster work.
        Assert.Equal(0u, work.SkipSlots(snapshot.Ids.ServiceId("ratings"), Kmesh.Sdk.Abi.ChainHook.Connect4));
    }

    [Fact]
    public void TcpProxy_Ipv6Listener_KeyIsInet6WithAllSixteenAddressBytes()
    {
        var snapshot = new SnapshotBuilder().Listener(TcpProxyListener("ratings", "fd00:10::11", 9080, "ratings")).Build();

        var output = Translation.Routing(snapshot);

        output.AssertNoDiagnostics();
        var (key, value) = Assert.Single(output.Routes().Entries);
        byte[] expectedKey = [0xfd, 0x00, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x23, 0x78, AfInet6, Translation.IpProtoTcp];
        Assert.Equal(expectedKey, key.Bytes);
        Assert.Equal(snapshot.Ids.ClusterId("ratings"), MemoryMarshal.Read<RouteValue>(value).Clusters[0].ClusterId);
    }

    [Fact]
    public void AdditionalAddresses_DualStackListener_SecondKeyWithTheSameValue()
    {
        var listener = Listener($$"""
            {
              "name": "reviews",
              "address": {{SocketAddress("10.96.0.20", 9080)}},
              "additional_addresses": [ { "address": {{SocketAddress("fd00:10::20", 9080)}} } ],
              "filter_chains": [ { "filters": [ {{TcpProxyFilter("reviews")}} ] } ]
            }
            """);
        var snapshot = new SnapshotBuilder().Listener(listener).Build();

        var output = Translation.Routing(snapshot);

        output.AssertNoDiagnostics();
        Assert.Equal(2, output.Routes().Count);
        var v4 = output.RouteFor("10.96.0.20", 9080);
        var v6 = output.RouteFor("fd00:10::20", 9080);
        Assert.Equal(Translation.ToBytes(v4), Translation.ToBytes(v6));
        Assert.Equal(snapshot.Ids.ClusterId("reviews"), v4.Clusters[0].ClusterId);
    }

    [Theory]
    [InlineData(new uint[] { 90, 10 }, new[] { 0, 1 }, new uint[] { 90, 100 })]
    [InlineData(new uint[] { 1, 1, 1 }, new[] { 0, 1, 2 }, new uint[] { 1, 2, 3 })]
    [InlineData(new uint[] { 90, 0, 10 }, new[] { 0, 2 }, new uint[] { 90, 100 })]
    [InlineData(new uint[] { 0, 5 }, new[] { 1 }, new uint[] { 5 })]
    public void WeightedClusters_TcpProxy_CumulativeUpperBoundsAndZeroWeightsDropped(uint[] weights, int[] expectedClusters, uint[] expectedUppers)
    {
        var ways = weights.Select((w, i) => ($"reviews-v{i}", w)).ToArray();
        var snapshot = new SnapshotBuilder().Listener(ListenerWith("reviews", "127.10.0.10", 9080, WeightedTcpProxyFilter(ways))).Build();

        var output = Translation.Routing(snapshot);

        var route = output.RouteFor("127.10.0.10", 9080);
        Assert.Equal((uint)expectedClusters.Length, route.Count);
        Assert.Equal(expectedUppers[^1], route.TotalWeight);
        for (var i = 0; i < expectedClusters.Length; i++)
        {
            Assert.Equal(snapshot.Ids.ClusterId($"reviews-v{expectedClusters[i]}"), route.Clusters[i].ClusterId);
            Assert.Equal(expectedUppers[i], route.Clusters[i].Upper);
        }
        for (var i = expectedClusters.Length; i < MaxClusters; i++)
            Assert.Equal(default, route.Clusters[i]);
    }

    [Theory]
    [InlineData(16, true)]
    [InlineData(17, false)]
    public void WeightedClusters_MoreThanSixteenWays_ErrorAndNoEntry(int ways, bool routed)
    {
        var clusters = Enumerable.Range(0, ways).Select(i => ($"c{i}", 1u)).ToArray();
        var snapshot = new SnapshotBuilder().Listener(ListenerWith("split", "127.10.0.10", 9080, WeightedTcpProxyFilter(clusters))).Build();

        var output = Translation.Routing(snapshot);

        if (routed)
        {
            output.AssertNoDiagnostics();
            var route = output.RouteFor("127.10.0.10", 9080);
            Assert.Equal((uint)ways, route.Count);
            Assert.Equal((uint)ways, route.TotalWeight);
        }
        else
        {
            Assert.Equal(0, output.Routes().Count);
            output.AssertDiagnostic(DiagnosticSeverity.Error, "listener split", "16");
        }
    }

    [Fact]
    public void WeightedClusters_EveryWeightZero_ErrorAndNoEntry()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(ListenerWith("split", "127.10.0.10", 9080, WeightedTcpProxyFilter(("a", 0), ("b", 0))))
            .Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(0, output.Routes().Count);
        output.AssertDiagnostic(DiagnosticSeverity.Error, "listener split", "weight 0");
    }

    [Fact]
    public void WeightedClusters_SumBeyondUInt32_ErrorAndNoEntry()
    {
        // The kernel rolls modulo a 32-bit total: a sum that wraps would send everything to one way.
        var snapshot = new SnapshotBuilder()
            .Listener(ListenerWith("split", "127.10.0.10", 9080, WeightedTcpProxyFilter(("a", uint.MaxValue), ("b", 1))))
            .Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(0, output.Routes().Count);
        output.AssertDiagnostic(DiagnosticSeverity.Error, "listener split", "sum");
    }

    public static TheoryData<string, DiagnosticSeverity, string, string> ListenersThatAreNotServices => new()
    {
        // wildcard listeners (Istio's virtualOutbound, a gateway on 0.0.0.0) catch every destination
        { ListenerJson(SocketAddress("0.0.0.0", 15001), TcpProxyFilter("passthrough")), DiagnosticSeverity.Info, "address.socket_address.address", "wildcard" },
        { ListenerJson(SocketAddress("::", 15001), TcpProxyFilter("passthrough")), DiagnosticSeverity.Info, "address.socket_address.address", "wildcard" },
        { ListenerJson(SocketAddress("127.10.0.10", 53, "UDP"), TcpProxyFilter("dns")), DiagnosticSeverity.Warning, "address.socket_address.protocol", "TCP" },
        { ListenerJson("""{ "pipe": { "path": "/run/app.sock" } }""", TcpProxyFilter("app")), DiagnosticSeverity.Warning, "address", "Pipe" },
        { ListenerJson(SocketAddress("reviews.default.svc", 9080), TcpProxyFilter("reviews")), DiagnosticSeverity.Error, "address.socket_address.address", "not an IP address" },
        { ListenerJson(SocketAddress("127.10.0.10", 0), TcpProxyFilter("reviews")), DiagnosticSeverity.Warning, "address.socket_address.port_value", "port" },
        {
            ListenerJson(SocketAddress("127.10.0.10", 9080), """
                {
                  "name": "envoy.filters.network.local_ratelimit",
                  "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit",
                    "stat_prefix": "rl",
                    "token_bucket": { "max_tokens": 10, "fill_interval": "1s" }
                  }
                }
                """),
            DiagnosticSeverity.Warning, "filter_chains[0]", "tcp_proxy"
        },
        { ListenerJson(SocketAddress("127.10.0.10", 9080), """{ "name": "envoy.filters.network.tcp_proxy" }"""), DiagnosticSeverity.Warning, "filter_chains[0].filters[0]", "typed_config" },
        { """{ "name": "svc", "address": { "socket_address": { "address": "127.10.0.10", "port_value": 9080 } } }""", DiagnosticSeverity.Error, "filter_chains", "no filter chain" },
        { """{ "name": "svc", "filter_chains": [ { "filters": [ { "name": "x" } ] } ] }""", DiagnosticSeverity.Info, "address", "no address" },
    };

    [Theory]
    [MemberData(nameof(ListenersThatAreNotServices))]
    public void ListenerThatIsNotAService_NoEntryAndADiagnosticNamingTheField(string listenerJson, DiagnosticSeverity severity, string field, string mentions)
    {
        var snapshot = new SnapshotBuilder().Listener(Listener(listenerJson)).Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(0, output.Routes().Count);
        Assert.Equal(field, output.AssertDiagnostic(severity, "listener svc", mentions).Field);
    }

    [Fact]
    public void Wildcard_NextToAService_OnlyTheServiceIsRouted()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(TcpProxyListener("virtualOutbound", "0.0.0.0", 15001, "PassthroughCluster"))
            .Listener(TcpProxyListener("reviews", "127.10.0.10", 9080, "reviews"))
            .Build();

        var output = Translation.Routing(snapshot);

        var diagnostic = Assert.Single(output.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Info, diagnostic.Severity);
        Assert.Equal(snapshot.Ids.ClusterId("reviews"), Assert.Single(output.Routes().TypedEntries).Value.Clusters[0].ClusterId);
    }

    [Fact]
    public void Http_InlineRoutesAllToOneCluster_RoutedToThatCluster()
    {
        var filter = HttpFilter("""
            "route_config": {
              "name": "reviews-local",
              "virtual_hosts": [
                { "name": "reviews", "domains": ["reviews", "reviews.default.svc"],
                  "routes": [
                    { "match": { "prefix": "/api" }, "route": { "cluster": "reviews", "timeout": "5s" } },
                    { "match": { "prefix": "/" }, "route": { "cluster": "reviews" } } ] },
                { "name": "any", "domains": ["*"],
                  "routes": [ { "match": { "prefix": "/" }, "route": { "cluster": "reviews" } } ] } ]
            }
            """);
        var snapshot = new SnapshotBuilder().Listener(ListenerWith("reviews-http", "127.10.0.10", 9080, filter)).Build();

        var output = Translation.Routing(snapshot);

        output.AssertNoDiagnostics();
        var route = output.RouteFor("127.10.0.10", 9080);
        Assert.Equal(1u, route.Count);
        Assert.Equal(snapshot.Ids.ClusterId("reviews"), route.Clusters[0].ClusterId);
    }

    [Fact]
    public void Http_RdsWithSameWeightedClustersOnEveryRoute_SplitIsRouted()
    {
        var routes = RouteConfiguration("""
            {
              "name": "9080",
              "virtual_hosts": [ { "name": "reviews", "domains": ["*"], "routes": [
                { "match": { "prefix": "/v1" }, "route": { "weighted_clusters": { "clusters": [
                  { "name": "reviews-v1", "weight": 80 }, { "name": "reviews-v2", "weight": 20 } ] } } },
                { "match": { "prefix": "/" }, "route": { "weighted_clusters": { "clusters": [
                  { "name": "reviews-v1", "weight": 80 }, { "name": "reviews-v2", "weight": 20 } ] } } } ] } ]
            }
            """);
        var filter = HttpFilter("""
            "rds": { "route_config_name": "9080", "config_source": { "ads": {} } }
            """);
        var snapshot = new SnapshotBuilder().Route(routes).Listener(ListenerWith("reviews-http", "127.10.0.10", 9080, filter)).Build();

        var output = Translation.Routing(snapshot);

        output.AssertNoDiagnostics();
        var route = output.RouteFor("127.10.0.10", 9080);
        Assert.Equal(2u, route.Count);
        Assert.Equal(100u, route.TotalWeight);
        Assert.Equal(snapshot.Ids.ClusterId("reviews-v1"), route.Clusters[0].ClusterId);
        Assert.Equal(80u, route.Clusters[0].Upper);
        Assert.Equal(snapshot.Ids.ClusterId("reviews-v2"), route.Clusters[1].ClusterId);
        Assert.Equal(100u, route.Clusters[1].Upper);
    }

    [Fact]
    public void Http_RoutesToDifferentClusters_WarnsThatItNeedsL7AndNoEntry()
    {
        var filter = HttpFilter("""
            "route_config": { "virtual_hosts": [ { "name": "bookinfo", "domains": ["*"], "routes": [
              { "match": { "prefix": "/reviews" }, "route": { "cluster": "reviews" } },
              { "match": { "prefix": "/ratings" }, "route": { "cluster": "ratings" } } ] } ] }
            """);
        var snapshot = new SnapshotBuilder().Listener(ListenerWith("bookinfo", "127.10.0.10", 9080, filter)).Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(0, output.Routes().Count);
        output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener bookinfo", "L7");
        Assert.DoesNotContain(output.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void Http_DirectResponseRoute_WarnsAndNoEntry()
    {
        var filter = HttpFilter("""
            "route_config": { "virtual_hosts": [ { "name": "h", "domains": ["*"], "routes": [
              { "match": { "prefix": "/" }, "direct_response": { "status": 404 } } ] } ] }
            """);
        var snapshot = new SnapshotBuilder().Listener(ListenerWith("blackhole", "127.10.0.10", 9080, filter)).Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(0, output.Routes().Count);
        output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener blackhole", "L7");
    }

    [Fact]
    public void Http_RdsNamingUnknownRouteConfiguration_ErrorAndNoEntry()
    {
        var filter = HttpFilter("""
            "rds": { "route_config_name": "not-sent-yet", "config_source": { "ads": {} } }
            """);
        var snapshot = new SnapshotBuilder()
            .Route(RouteConfiguration("""{ "name": "other" }"""))
            .Listener(ListenerWith("reviews-http", "127.10.0.10", 9080, filter))
            .Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(0, output.Routes().Count);
        var error = output.AssertDiagnostic(DiagnosticSeverity.Error, "listener reviews-http", "not-sent-yet");
        Assert.StartsWith("filter_chains[0].filters[0]", error.Field);
    }

    [Fact]
    public void FilterChainMatch_OnEveryChainWithoutDefault_ErrorAndNoEntry()
    {
        var listener = Listener($$"""
            {
              "name": "tls",
              "address": {{SocketAddress("127.10.0.10", 443)}},
              "filter_chains": [
                { "filter_chain_match": { "server_names": ["a.example.com"] }, "filters": [ {{TcpProxyFilter("a")}} ] },
                { "filter_chain_match": { "server_names": ["b.example.com"] }, "filters": [ {{TcpProxyFilter("b")}} ] } ]
            }
            """);
        var snapshot = new SnapshotBuilder().Listener(listener).Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(0, output.Routes().Count);
        output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener tls", "default_filter_chain");
    }

    [Fact]
    public void FilterChainMatch_WithDefaultFilterChain_UsesTheDefaultAndWarns()
    {
        var listener = Listener($$"""
            {
              "name": "tls",
              "address": {{SocketAddress("127.10.0.10", 443)}},
              "filter_chains": [
                { "filter_chain_match": { "server_names": ["a.example.com"] }, "filters": [ {{TcpProxyFilter("a")}} ] },
                { "filter_chain_match": { "application_protocols": ["h2"] }, "filters": [ {{TcpProxyFilter("b")}} ] } ],
              "default_filter_chain": { "filters": [ {{TcpProxyFilter("fallback")}} ] }
            }
            """);
        var snapshot = new SnapshotBuilder().Listener(listener).Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(snapshot.Ids.ClusterId("fallback"), output.RouteFor("127.10.0.10", 443).Clusters[0].ClusterId);
        output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener tls", "default_filter_chain");
    }

    [Fact]
    public void FilterChainMatch_OnlyChain_UsedForEveryConnectWithAWarning()
    {
        var listener = Listener($$"""
            {
              "name": "tls",
              "address": {{SocketAddress("127.10.0.10", 443)}},
              "filter_chains": [ { "filter_chain_match": { "transport_protocol": "tls" }, "filters": [ {{TcpProxyFilter("a")}} ] } ]
            }
            """);
        var snapshot = new SnapshotBuilder().Listener(listener).Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(snapshot.Ids.ClusterId("a"), output.RouteFor("127.10.0.10", 443).Clusters[0].ClusterId);
        output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener tls");
    }

    [Fact]
    public void FilterChainMatch_ChainWithoutMatchAmongMatchingOnes_IsTheOneUsed()
    {
        var listener = Listener($$"""
            {
              "name": "mixed",
              "address": {{SocketAddress("127.10.0.10", 9080)}},
              "filter_chains": [
                { "filter_chain_match": { "server_names": ["a.example.com"] }, "filters": [ {{TcpProxyFilter("a")}} ] },
                { "filter_chain_match": {}, "filters": [ {{TcpProxyFilter("catch-all")}} ] } ]
            }
            """);
        var snapshot = new SnapshotBuilder().Listener(listener).Build();

        var output = Translation.Routing(snapshot);

        // An empty filter_chain_match matches everything, exactly as an absent one does.
        Assert.Equal(snapshot.Ids.ClusterId("catch-all"), output.RouteFor("127.10.0.10", 9080).Clusters[0].ClusterId);
        Assert.DoesNotContain(output.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void SameVipPort_TwoListeners_SecondIsAnErrorAndTheFirstIsKept()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(TcpProxyListener("first", "127.10.0.10", 9080, "reviews"))
            .Listener(TcpProxyListener("second", "127.10.0.10", 9080, "ratings"))
            .Listener(TcpProxyListener("other-port", "127.10.0.10", 9081, "ratings"))
            .Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(2, output.Routes().Count);
        var kept = output.RouteFor("127.10.0.10", 9080);
        Assert.Equal(snapshot.Ids.ServiceId("first"), kept.ServiceId);
        Assert.Equal(snapshot.Ids.ClusterId("reviews"), kept.Clusters[0].ClusterId);
        var error = output.AssertDiagnostic(DiagnosticSeverity.Error, "listener second", "first");
        Assert.Equal("address", error.Field);
        Assert.DoesNotContain(output.Diagnostics, d => d.Resource == ResourceRef.Listener("first") || d.Resource == ResourceRef.Listener("other-port"));
    }

    [Fact]
    public void Translate_SameSnapshotTwice_IdenticalBytes()
    {
        var snapshot = Bookinfo(new SnapshotBuilder()).Build();

        var first = Translation.Routing(snapshot);
        var second = Translation.Routing(snapshot);

        Assert.Equal(first.Dump(), second.Dump());
        Assert.Equal(first.Diagnostics, second.Diagnostics);
        Assert.Equal(4, first.Routes().Count);
    }

    [Fact]
    public void Translate_EqualSnapshotsWithFreshIds_IdenticalBytes()
    {
        var first = Translation.Routing(Bookinfo(new SnapshotBuilder()).Build());
        var second = Translation.Routing(Bookinfo(new SnapshotBuilder()).Build());

        Assert.Equal(first.Dump(), second.Dump());
    }

    [Fact]
    public void Translate_EmptySnapshot_DeclaresAnEmptyRouteMap()
    {
        // Declared even when empty, so that the core removes routes of listeners that went away.
        var output = Translation.Routing(new SnapshotBuilder().Build());

        Assert.Equal(0, output.Routes().Count);
        output.AssertNoDiagnostics();
    }

    [Fact]
    public void MapLayout_MatchesRoutingHeader()
    {
        var output = Translation.Routing(new SnapshotBuilder().Build());

        Assert.Equal(["rt_routes", "rt_waypoint"], output.Maps.Select(m => m.Name));
        var map = output.Maps[0];
        Assert.Equal(20, map.KeySize);                                 // struct rt_key
        Assert.Equal(24 + MaxClusters * 8, map.ValueSize);             // struct rt_route (skip_slots[2] since 1.4.0)
        Assert.Equal(4, output.Maps[1].KeySize);                       // __u32 index
        Assert.Equal(20, output.Maps[1].ValueSize);                    // struct km_addr
    }

    private static SnapshotBuilder Bookinfo(SnapshotBuilder builder) => builder
        .Listener(TcpProxyListener("productpage", "127.10.0.1", 9080, "productpage"))
        .Listener(ListenerWith("reviews", "127.10.0.2", 9080, WeightedTcpProxyFilter(("reviews-v1", 50), ("reviews-v2", 30), ("reviews-v3", 20))))
        .Listener(TcpProxyListener("ratings", "fd00:10::3", 9080, "ratings"))
        .Listener(TcpProxyListener("details", "127.10.0.4", 9080, "details"))
        .Listener(TcpProxyListener("outbound", "0.0.0.0", 15001, "PassthroughCluster"));

    private static string ListenerJson(string address, string filter) => $$"""
        {
          "name": "svc",
          "address": {{address}},
          "filter_chains": [ { "filters": [ {{filter}} ] } ]
        }
        """;
}
