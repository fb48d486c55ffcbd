using Kmesh.Sdk.Abi;
using Kmesh.Sdk.Snapshot;
using Envoy.Config.Listener.V3;
using Kmesh.Sdk.Translation;
using static Kmesh.Plugins.Tests.Resources;

namespace Kmesh.Plugins.Tests;

/// <summary>
/// Istio's outbound HTTP services: a <c>0.0.0.0_PORT</c> listener whose HTTP connection manager
/// fetches route configuration <c>PORT</c> over RDS, one virtual host per service with the VIP
/// among its domains. The VIP:PORT is routed to the virtual host's catch-all route.
/// </summary>
public class RoutingIstioHttpTests
{
    private const string Listener9080 = "listener 0.0.0.0_9080";
    private const string Reviews = "outbound|9080||reviews.default.svc.cluster.local";
    private const string RatingsV1 = "outbound|9080|v1|ratings.default.svc.cluster.local";
    private const string RatingsV2 = "outbound|9080|v2|ratings.default.svc.cluster.local";

    [Fact]
    public void IstioListenerAndRds_EachVirtualHostsVipRoutesToItsCatchAll()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Route(Routes("9080",
                Host("reviews.default.svc.cluster.local:9080", ["reviews.default.svc.cluster.local", "reviews", "reviews.default", "10.96.0.15", "10.96.0.15:9080"],
                    CatchAll($$"""{ "cluster": "{{Reviews}}", "timeout": "0s", "retry_policy": { "retry_on": "connect-failure", "num_retries": 2 } }""")),
                Host("ratings.default.svc.cluster.local:9080", ["ratings.default.svc.cluster.local", "ratings", "10.96.0.16", "10.96.0.16:9080"],
                    CatchAll($$"""{ "weighted_clusters": { "clusters": [ { "name": "{{RatingsV1}}", "weight": 80 }, { "name": "{{RatingsV2}}", "weight": 20 } ] } }""")),
                Host("allow_any", ["*"], CatchAll("""{ "cluster": "PassthroughCluster" }"""))))
            .Build();

        var output = Translation.Routing(snapshot);

        output.AssertNoDiagnostics();
        Assert.Equal(2, output.Routes().Count);
        var reviews = output.RouteFor("10.96.0.15", 9080);
        Assert.Equal(1u, reviews.Count);
        Assert.Equal(snapshot.Ids.ClusterId(Reviews), reviews.Clusters[0].ClusterId);
        // Each virtual host is a service of its own, so that per-service plugins (faults) tell them apart.
        Assert.Equal(snapshot.Ids.ServiceId(HttpVirtualHosts.ServiceName("0.0.0.0_9080", "reviews.default.svc.cluster.local:9080")), reviews.ServiceId);
        var ratings = output.RouteFor("10.96.0.16", 9080);
        Assert.Equal(snapshot.Ids.ServiceId(HttpVirtualHosts.ServiceName("0.0.0.0_9080", "ratings.default.svc.cluster.local:9080")), ratings.ServiceId);
        Assert.Equal(2u, ratings.Count);
        Assert.Equal(100u, ratings.TotalWeight);
        Assert.Equal(snapshot.Ids.ClusterId(RatingsV1), ratings.Clusters[0].ClusterId);
        Assert.Equal(80u, ratings.Clusters[0].Upper);
        Assert.Equal(snapshot.Ids.ClusterId(RatingsV2), ratings.Clusters[1].ClusterId);
        Assert.Equal(100u, ratings.Clusters[1].Upper);
    }

    [Fact]
    public void HeaderMatchBeforeTheCatchAll_VipGoesToTheCatchAll_WarningNamesTheVirtualHostAndRoute()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Route(Routes("9080",
                Host("reviews.default.svc.cluster.local:9080", ["reviews", "10.96.0.15"],
                    """{ "match": { "prefix": "/", "headers": [ { "name": "end-user", "string_match": { "exact": "jason" } } ] }, "route": { "cluster": "reviews-v2" } }""",
                    """{ "match": { "prefix": "/", "case_sensitive": true }, "route": { "cluster": "reviews-v1" } }""")))
            .Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(snapshot.Ids.ClusterId("reviews-v1"), output.RouteFor("10.96.0.15", 9080).Clusters[0].ClusterId);
        var warning = output.AssertDiagnostic(DiagnosticSeverity.Warning, Listener9080, "needs L7");
        Assert.Equal("filter_chains[0].filters[0].typed_config.virtual_hosts[0].routes[0]", warning.Field);
        Assert.Contains("virtual host 'reviews.default.svc.cluster.local:9080'", warning.Message);
        Assert.Contains("route 0", warning.Message);
        Assert.Contains("end-user", warning.Message);
        Assert.Contains("'reviews-v2'", warning.Message);
        Assert.Contains("catch-all route 1", warning.Message);
        Assert.DoesNotContain(output.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void PathRouteToTheSameClusterBeforeTheCatchAll_IsNoWarning()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Route(Routes("9080",
                Host("reviews", ["10.96.0.15"],
                    """{ "match": { "path": "/health" }, "route": { "cluster": "reviews", "timeout": "1s" } }""",
                    CatchAll("""{ "cluster": "reviews" }"""))))
            .Build();

        var output = Translation.Routing(snapshot);

        output.AssertNoDiagnostics();
        Assert.Equal(snapshot.Ids.ClusterId("reviews"), output.RouteFor("10.96.0.15", 9080).Clusters[0].ClusterId);
    }

    [Theory]
    [InlineData("""{ "match": { "path": "/" }, "route": { "cluster": "reviews" } }""")]
    [InlineData("""{ "match": { "safe_regex": { "regex": ".*" } }, "route": { "cluster": "reviews" } }""")]
    [InlineData("""{ "match": { "prefix": "/", "headers": [ { "name": "x-canary", "present_match": true } ] }, "route": { "cluster": "reviews" } }""")]
    [InlineData("""{ "match": { "prefix": "/", "query_parameters": [ { "name": "v", "present_match": true } ] }, "route": { "cluster": "reviews" } }""")]
    [InlineData("""{ "match": { "prefix": "/api" }, "route": { "cluster": "reviews" } }""")]
    public void NoCatchAllRoute_VipLeftOutWithANeedsL7Warning(string route)
    {
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Route(Routes("9080", Host("reviews", ["reviews", "10.96.0.15:9080"], route)))
            .Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(0, output.Routes().Count);
        var warning = output.AssertDiagnostic(DiagnosticSeverity.Warning, Listener9080, "no catch-all");
        Assert.Contains("needs L7", warning.Message);
        Assert.Contains("10.96.0.15:9080", warning.Message);
        Assert.DoesNotContain(output.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void Ipv6Domains_InBracketsWithAndWithoutPort_AreRouted()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Route(Routes("9080",
                Host("details", ["details", "[fd00::10]:9080"], CatchAll("""{ "cluster": "details" }""")),
                Host("ratings", ["[fd00::11]"], CatchAll("""{ "cluster": "ratings" }"""))))
            .Build();

        var output = Translation.Routing(snapshot);

        output.AssertNoDiagnostics();
        Assert.Equal(snapshot.Ids.ClusterId("details"), output.RouteFor("fd00::10", 9080).Clusters[0].ClusterId);
        Assert.Equal(snapshot.Ids.ClusterId("ratings"), output.RouteFor("fd00::11", 9080).Clusters[0].ClusterId);
        Assert.Equal(2, output.Routes().Count);
    }

    [Fact]
    public void HostNameDomainsOnly_NothingAndNoDiagnostics()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Route(Routes("9080",
                Host("reviews", ["reviews.default.svc.cluster.local", "reviews", "reviews:9080", "*.example.com", "10", "10.1", "1.2.3.4.5"],
                    CatchAll("""{ "cluster": "reviews" }""")),
                // Without a VIP, a missing catch-all concerns no connect: not worth a warning here.
                Host("names-only", ["ratings"], """{ "match": { "path": "/x" }, "route": { "cluster": "ratings" } }""")))
            .Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(0, output.Routes().Count);
        // No warning per domain; one Info says why the listener routes nothing.
        var info = Assert.Single(output.Diagnostics);
        Assert.Equal(DiagnosticSeverity.Info, info.Severity);
        Assert.Equal(Listener9080, info.Resource.ToString());
        Assert.Contains("names a VIP", info.Message);
    }

    [Fact]
    public void DomainWithAnotherPort_IsIgnored()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Route(Routes("9080", Host("other", ["10.0.0.1:8080", "[fd00::1]:8080"], CatchAll("""{ "cluster": "other" }"""))))
            .Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(0, output.Routes().Count);
        Assert.False(output.Routes().TryGet(Translation.RouteKeyOf("10.0.0.1", 8080), out _));
        Assert.All(output.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
    }

    [Fact]
    public void ExplicitVipListener_WinsOverADomain_WithAnInfo()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Listener(TcpProxyListener("10.96.0.15_9080", "10.96.0.15", 9080, "reviews-tcp"))
            .Route(Routes("9080",
                Host("reviews", ["reviews", "10.96.0.15", "10.96.0.15:9080"], CatchAll("""{ "cluster": "reviews-http" }""")),
                Host("ratings", ["10.96.0.16"], CatchAll("""{ "cluster": "ratings" }"""))))
            .Build();

        var output = Translation.Routing(snapshot);

        var reviews = output.RouteFor("10.96.0.15", 9080);
        Assert.Equal(snapshot.Ids.ClusterId("reviews-tcp"), reviews.Clusters[0].ClusterId);
        Assert.Equal(snapshot.Ids.ServiceId("10.96.0.15_9080"), reviews.ServiceId);
        Assert.Equal(snapshot.Ids.ClusterId("ratings"), output.RouteFor("10.96.0.16", 9080).Clusters[0].ClusterId);
        var info = output.AssertDiagnostic(DiagnosticSeverity.Info, Listener9080, "10.96.0.15_9080");
        Assert.StartsWith("filter_chains[0].filters[0].typed_config.virtual_hosts[0].domains[", info.Field);
        Assert.All(output.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
    }

    [Fact]
    public void VirtualHostWithoutCatchAll_WhoseVipAVipListenerServes_OnlyTheInfo()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(TcpProxyListener("10.96.0.15_9080", "10.96.0.15", 9080, "reviews-tcp"))
            .Listener(IstioListener(9080))
            .Route(Routes("9080", Host("reviews", ["10.96.0.15"], """{ "match": { "path": "/x" }, "route": { "cluster": "x" } }""")))
            .Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(snapshot.Ids.ClusterId("reviews-tcp"), Assert.Single(output.Routes().TypedEntries).Value.Clusters[0].ClusterId);
        Assert.Equal(DiagnosticSeverity.Info, Assert.Single(output.Diagnostics).Severity);
    }

    [Fact]
    public void VipListenerThatIsLeftOut_StillWinsOverADomain()
    {
        // Envoy hands a connect to the listener bound to its address: the wildcard's domain never sees it.
        var l7Only = HttpFilter("""
            "route_config": { "virtual_hosts": [ { "name": "h", "domains": ["*"], "routes": [
              { "match": { "prefix": "/a" }, "route": { "cluster": "a" } },
              { "match": { "prefix": "/" }, "route": { "cluster": "b" } } ] } ] }
            """);
        var snapshot = new SnapshotBuilder()
            .Listener(ListenerWith("10.96.0.15_9080", "10.96.0.15", 9080, l7Only))
            .Listener(IstioListener(9080))
            .Route(Routes("9080", Host("reviews", ["10.96.0.15"], CatchAll("""{ "cluster": "reviews" }"""))))
            .Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(0, output.Routes().Count);
        output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener 10.96.0.15_9080", "L7");
        output.AssertDiagnostic(DiagnosticSeverity.Info, Listener9080, "10.96.0.15_9080");
    }

    [Fact]
    public void TwoWildcardListenersOnTheSameRoutes_TheVipIsRoutedOnce()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Listener(ListenerWith("[::]_9080", "::", 9080, Rds("9080")))
            .Route(Routes("9080", Host("reviews", ["10.96.0.15"], CatchAll("""{ "cluster": "reviews" }"""))))
            .Build();

        var output = Translation.Routing(snapshot);

        output.AssertNoDiagnostics();
        var route = Assert.Single(output.Routes().TypedEntries).Value;
        Assert.Equal(snapshot.Ids.ServiceId(HttpVirtualHosts.ServiceName("0.0.0.0_9080", "reviews")), route.ServiceId);
    }

    [Fact]
    public void ProtocolSniffingChainAndPassthroughDefault_TheHttpChainIsUsed()
    {
        // The shape istioctl proxy-config shows for 0.0.0.0_9080.
        var listener = Listener($$"""
            {
              "name": "0.0.0.0_9080",
              "address": {{SocketAddress("0.0.0.0", 9080)}},
              "bind_to_port": false,
              "traffic_direction": "OUTBOUND",
              "filter_chains": [ {
                "filter_chain_match": { "transport_protocol": "raw_buffer", "application_protocols": ["http/1.1", "h2c"] },
                "filters": [ {{Rds("9080")}} ] } ],
              "default_filter_chain": { "name": "PassthroughFilterChain", "filters": [ {{TcpProxyFilter("PassthroughCluster")}} ] }
            }
            """);
        var snapshot = new SnapshotBuilder()
            .Listener(listener)
            .Route(Routes("9080", Host("reviews", ["10.96.0.15"], CatchAll("""{ "cluster": "reviews" }"""))))
            .Build();

        var output = Translation.Routing(snapshot);

        output.AssertNoDiagnostics();
        Assert.Equal(snapshot.Ids.ClusterId("reviews"), Assert.Single(output.Routes().TypedEntries).Value.Clusters[0].ClusterId);
    }

    [Fact]
    public void CatchAllThatCannotBeDecidedAtConnectTime_VipLeftOutWithWarnings()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Route(Routes("9080",
                Host("by-header", ["10.96.0.20"], CatchAll("""{ "cluster_header": "x-cluster" }""")),
                Host("answers", ["10.96.0.21"], """{ "match": { "prefix": "/" }, "direct_response": { "status": 503 } }"""),
                Host("fine", ["10.96.0.22"], CatchAll("""{ "cluster": "fine" }"""))))
            .Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(snapshot.Ids.ClusterId("fine"), Assert.Single(output.Routes().TypedEntries).Value.Clusters[0].ClusterId);
        Assert.Equal(2, output.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning && d.Message.Contains("needs L7", StringComparison.Ordinal)));
        Assert.DoesNotContain(output.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void InvalidWeightsInOneVirtualHost_ErrorForThatVipOnly()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Route(Routes("9080",
                Host("zero", ["10.96.0.20"], CatchAll("""{ "weighted_clusters": { "clusters": [ { "name": "a", "weight": 0 }, { "name": "b", "weight": 0 } ] } }""")),
                Host("fine", ["10.96.0.22"], CatchAll("""{ "cluster": "fine" }"""))))
            .Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(snapshot.Ids.ClusterId("fine"), Assert.Single(output.Routes().TypedEntries).Value.Clusters[0].ClusterId);
        var error = output.AssertDiagnostic(DiagnosticSeverity.Error, Listener9080, "weight 0");
        Assert.Equal("filter_chains[0].filters[0].typed_config.virtual_hosts[0].routes[0].route.weighted_clusters", error.Field);
    }

    [Fact]
    public void SameVipInTwoVirtualHostsWithDifferentTargets_LeftOutWithAWarning()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Route(Routes("9080",
                Host("a", ["10.96.0.15"], CatchAll("""{ "cluster": "a" }""")),
                Host("b", ["10.96.0.15:9080"], CatchAll("""{ "cluster": "b" }"""))))
            .Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(0, output.Routes().Count);
        output.AssertDiagnostic(DiagnosticSeverity.Warning, Listener9080, "Host header");
    }

    [Fact]
    public void RdsNotKnown_ErrorAsForAVipListener()
    {
        var snapshot = new SnapshotBuilder().Listener(IstioListener(9080)).Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(0, output.Routes().Count);
        output.AssertDiagnostic(DiagnosticSeverity.Error, Listener9080, "'9080' is not known");
    }

    [Fact]
    public void IPv6WildcardListener_RoutesLikeTheIPv4One()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(ListenerWith("[::]_9080", "::", 9080, Rds("9080")))
            .Route(Routes("9080", Host("reviews", ["10.96.0.15", "[fd00::15]"], CatchAll("""{ "cluster": "reviews" }"""))))
            .Build();

        var output = Translation.Routing(snapshot);

        output.AssertNoDiagnostics();
        Assert.Equal(snapshot.Ids.ClusterId("reviews"), output.RouteFor("10.96.0.15", 9080).Clusters[0].ClusterId);
        Assert.Equal(snapshot.Ids.ClusterId("reviews"), output.RouteFor("fd00::15", 9080).Clusters[0].ClusterId);
    }

    [Fact]
    public void Translate_SameIstioSnapshotTwice_IdenticalBytesAndDiagnostics()
    {
        var builder = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Route(Routes("9080",
                Host("reviews", ["10.96.0.15"], """{ "match": { "prefix": "/v2" }, "route": { "cluster": "reviews-v2" } }""", CatchAll("""{ "cluster": "reviews" }""")),
                Host("ratings", ["10.96.0.16"], CatchAll("""{ "cluster": "ratings" }"""))));
        var snapshot = builder.Build();

        var first = Translation.Routing(snapshot);
        var second = Translation.Routing(snapshot);

        Assert.Equal(first.Dump(), second.Dump());
        Assert.Equal(first.Diagnostics, second.Diagnostics);
    }

    [Theory]
    [InlineData("10.96.0.15", "10.96.0.15")]
    [InlineData("10.96.0.15:9080", "10.96.0.15")]
    [InlineData("[fd00::10]:9080", "fd00::10")]
    [InlineData("[fd00::10]", "fd00::10")]
    [InlineData("fd00::10", "fd00::10")]
    public void IpLiteralDomain_IsAVip(string domain, string address)
    {
        var output = Translation.Routing(OneDomain(domain).Build());

        output.AssertNoDiagnostics();
        Assert.Single(output.Routes().Entries);
        output.RouteFor(address, 9080);
    }

    [Theory]
    [InlineData("reviews")]
    [InlineData("reviews:9080")]
    [InlineData("*")]
    [InlineData("10")]
    [InlineData("10.1")]
    [InlineData("10.96.0.15:0")]
    [InlineData("10.96.0.15:x")]
    [InlineData("0.0.0.0")]
    [InlineData("[::]:9080")]
    [InlineData("[fd00::10]9080")]
    [InlineData("[reviews]:9080")]
    [InlineData("fe80::1%eth0")]
    public void DomainThatIsNoIpLiteral_IsNoVip(string domain)
    {
        var output = Translation.Routing(OneDomain(domain).Build());

        Assert.All(output.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Info, d.Severity));
        Assert.Equal(0, output.Routes().Count);
    }

    [Fact]
    public void WithAWaypoint_OnlyTheVirtualHostsThatNeedTheRequestAreSteered()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Route(Routes("9080",
                Host("reviews", ["reviews", "10.96.0.15"],
                    """{ "match": { "prefix": "/", "headers": [ { "name": "end-user", "string_match": { "exact": "jason" } } ] }, "route": { "cluster": "reviews-v2" } }""",
                    CatchAll("""{ "cluster": "reviews-v1" }""")),
                // Istio puts a retry policy and a disabled timeout on every route: not a reason to steer.
                Host("ratings", ["ratings", "10.96.0.16"],
                    CatchAll($$"""{ "cluster": "{{RatingsV1}}", "timeout": "0s", "retry_policy": { "retry_on": "connect-failure", "num_retries": 2 } }""")),
                Host("details", ["details", "10.96.0.17"],
                    """{ "match": { "prefix": "/" }, "route": { "cluster": "details" }, "metadata": { "filter_metadata": { "kmesh": { "waypoint": true } } } }""")))
            .Build();

        var output = Translation.Routing(snapshot, waypoint: "10.0.0.5");

        Assert.DoesNotContain(output.Diagnostics, d => d.Message.Contains("needs L7", StringComparison.Ordinal));
        var reviews = output.RouteFor("10.96.0.15", 9080);
        Assert.Equal(1u, reviews.Flags);
        Assert.Equal(0u, reviews.Count);
        Assert.Equal(1u, output.RouteFor("10.96.0.17", 9080).Flags);
        var ratings = output.RouteFor("10.96.0.16", 9080);
        Assert.Equal(0u, ratings.Flags);
        Assert.Equal(snapshot.Ids.ClusterId(RatingsV1), ratings.Clusters[0].ClusterId);
        Assert.Contains(output.Facts, f => f.Detail == "10.96.0.15:9080 → the L7 waypoint");
        var waypoint = output.Map<uint, KmAddr>("rt_waypoint");
        Assert.True(waypoint.TryGet(0u, out var v4));
        Assert.Equal(System.Net.IPAddress.Parse("10.0.0.5"), v4.ToIPEndPoint().Address);
        Assert.True(waypoint.TryGet(1u, out var v6));
        // connect6 needs an IPv6 address: the IPv4 waypoint as ::ffff:10.0.0.5.
        Assert.Equal(System.Net.IPAddress.Parse("::ffff:10.0.0.5"), v6.ToIPEndPoint().Address);
    }

    [Fact]
    public void WithoutAWaypoint_HeaderRoutesStayNeedsL7AndNothingIsSteered()
    {
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Route(Routes("9080", Host("reviews", ["10.96.0.15"],
                """{ "match": { "prefix": "/", "headers": [ { "name": "end-user", "string_match": { "exact": "jason" } } ] }, "route": { "cluster": "reviews-v2" } }""",
                CatchAll("""{ "cluster": "reviews-v1" }"""))))
            .Build();

        var output = Translation.Routing(snapshot);

        Assert.Equal(0u, output.RouteFor("10.96.0.15", 9080).Flags);
        Assert.Contains(output.Diagnostics, d => d.Message.Contains("needs L7", StringComparison.Ordinal));
        Assert.Empty(output.Map<uint, KmAddr>("rt_waypoint").Entries);
    }

    [Fact]
    public void AMirroredServiceIsSteeredWithAWaypointAndReportedAsNotCopiedWithoutOne()
    {
        // Istio's VirtualService mirror: the catch-all route copies each request to v2.
        var snapshot = new SnapshotBuilder()
            .Listener(IstioListener(9080))
            .Route(Routes("9080", Host("reviews", ["10.96.0.15"],
                CatchAll("""{ "cluster": "reviews-v1", "request_mirror_policies": [ { "cluster": "reviews-v2", "runtime_fraction": { "default_value": { "numerator": 50 } } } ] }"""))))
            .Build();

        var steered = Translation.Routing(snapshot, waypoint: "10.0.0.5");
        var kernelOnly = Translation.Routing(snapshot);

        Assert.Equal(1u, steered.RouteFor("10.96.0.15", 9080).Flags);
        Assert.Equal(0u, kernelOnly.RouteFor("10.96.0.15", 9080).Flags);
        Assert.Equal(snapshot.Ids.ClusterId("reviews-v1"), kernelOnly.RouteFor("10.96.0.15", 9080).Clusters[0].ClusterId);
        Assert.Contains(kernelOnly.Diagnostics, d => d.Field.EndsWith("routes[0].route.request_mirror_policies", StringComparison.Ordinal)
            && d.Message.Contains("needs L7", StringComparison.Ordinal) && d.Message.Contains("'reviews-v2'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not-an-ip")]
    [InlineData("0.0.0.0")]
    public void ABadWaypointArgumentIsRefused(string value) =>
        Assert.Throws<ArgumentException>(() => Translation.Routing(OneDomain("10.96.0.15").Build(), waypoint: value));

    private static SnapshotBuilder OneDomain(string domain) => new SnapshotBuilder()
        .Listener(IstioListener(9080))
        .Route(Routes("9080", Host("svc", [domain], CatchAll("""{ "cluster": "svc" }"""))));

    /// <summary>Istio's outbound listener for a port: 0.0.0.0_PORT, not bound, HTTP routes over RDS named PORT.</summary>
    private static Listener IstioListener(int port) => Listener($$"""
        {
          "name": "0.0.0.0_{{port}}",
          "address": {{SocketAddress("0.0.0.0", port)}},
          "use_original_dst": false,
          "bind_to_port": false,
          "traffic_direction": "OUTBOUND",
          "filter_chains": [ { "filters": [ {{Rds(port.ToString(System.Globalization.CultureInfo.InvariantCulture))}} ] } ]
        }
        """);

    private static string Rds(string name) => HttpFilter($$"""
        "rds": { "route_config_name": "{{name}}", "config_source": { "ads": {}, "resource_api_version": "V3" } }
        """);

    private static global::Envoy.Config.Route.V3.RouteConfiguration Routes(string name, params string[] hosts) => RouteConfiguration($$"""
        { "name": "{{name}}", "validate_clusters": false, "virtual_hosts": [ {{string.Join(", ", hosts)}} ] }
        """);

    private static string Host(string name, string[] domains, params string[] routes) => $$"""
        { "name": "{{name}}", "domains": [ {{string.Join(", ", domains.Select(d => $"\"{d}\""))}} ], "routes": [ {{string.Join(", ", routes)}} ] }
        """;

    private static string CatchAll(string action) => $$"""
        { "name": "default", "match": { "prefix": "/" }, "route": {{action}} }
        """;
}
