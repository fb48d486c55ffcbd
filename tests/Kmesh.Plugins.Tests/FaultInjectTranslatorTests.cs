using Kmesh.Sdk.Translation;
using static Kmesh.Plugins.Tests.GovernanceTranslation;
using static Kmesh.Plugins.Tests.Resources;

namespace Kmesh.Plugins.Tests;

public class FaultInjectTranslatorTests
{
    private const string Vip = "127.10.0.10";

    private static Kmesh.Sdk.Snapshot.MeshSnapshot Http(string routeConfig, params string[] httpFilters) =>
        new SnapshotBuilder().Listener(ListenerWith("web", Vip, 9080, Hcm(routeConfig, httpFilters))).Build();

    [Theory]
    [InlineData(30u, "HUNDRED", 300_000u)]
    [InlineData(100u, "HUNDRED", 1_000_000u)]
    [InlineData(1u, "TEN_THOUSAND", 100u)]
    [InlineData(10_000u, "TEN_THOUSAND", 1_000_000u)]
    [InlineData(7u, "MILLION", 7u)]
    public void Abort_EveryDenominator_BecomesPartsPerMillionKeyedByService(uint numerator, string denominator, uint perMillion)
    {
        var snapshot = Http(CatchAllRoutes("web"), FaultFilter(Abort(numerator, denominator)));

        var output = FaultInjection(snapshot);

        Assert.Equal(perMillion, output.AbortShareOf(snapshot, "web"));
        // The HTTP status itself needs L7; the abort becomes a refused connect, and the operator is told.
        Assert.Contains("filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.abort.http_status",
            output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener web", "needs L7").Field);
    }

    [Fact]
    public void NoFaultFilter_NoEntryNoDiagnostic_AndTheMapIsDeclaredEmpty()
    {
        var output = FaultInjection(Http(CatchAllRoutes("web")));

        Assert.Equal(0, output.Faults().Count);
        output.AssertNoDiagnostics();
        // No service has work: the chain passes over faultinject everywhere (chain ABI 1.4).
        Assert.Empty(output.DeclaredConnectWork!.Services);
    }

    [Fact]
    public void Abort_DeclaresConnectWorkForItsService()
    {
        var snapshot = Http(CatchAllRoutes("web"), FaultFilter(Abort(30, "HUNDRED")));

        var output = FaultInjection(snapshot);

        Assert.Equal([snapshot.Ids.ServiceId("web")], output.DeclaredConnectWork!.Services);
    }

    [Fact]
    public void TcpProxyListener_HasNoFaultFilterInEnvoy_NoEntry()
    {
        var output = FaultInjection(new SnapshotBuilder().Listener(TcpProxyListener("tcp", Vip, 9080, "tcp")).Build());

        Assert.Equal(0, output.Faults().Count);
        output.AssertNoDiagnostics();
    }

    [Fact]
    public void ZeroPercent_NoEntry()
    {
        var output = FaultInjection(Http(CatchAllRoutes("web"), FaultFilter(Abort(0))));

        Assert.Equal(0, output.Faults().Count);
    }

    [Theory]
    [InlineData(101u, "HUNDRED", "abort.percentage.numerator")]
    [InlineData(10_001u, "TEN_THOUSAND", "abort.percentage.numerator")]
    [InlineData(1_000_001u, "MILLION", "abort.percentage.numerator")]
    public void PercentageOverHundred_IsAnErrorNamingTheField_AndOtherListenersKeepTheirFault(uint numerator, string denominator, string field)
    {
        var snapshot = new SnapshotBuilder()
            .Listener(ListenerWith("bad", "127.10.0.11", 9080, Hcm(CatchAllRoutes("bad"), FaultFilter(Abort(numerator, denominator)))))
            .Listener(ListenerWith("good", Vip, 9080, Hcm(CatchAllRoutes("good"), FaultFilter(Abort(5)))))
            .Build();

        var output = FaultInjection(snapshot);

        Assert.EndsWith(field, output.AssertDiagnostic(DiagnosticSeverity.Error, "listener bad", "100%").Field);
        Assert.False(output.Faults().TryGet(snapshot.Ids.ServiceId("bad"), out _));
        Assert.Equal(50_000u, output.AbortShareOf(snapshot, "good"));
    }

    [Fact]
    public void UnknownDenominator_IsAnErrorNamingTheField()
    {
        // Only a binary or JSON number can carry an enum value the proto does not name.
        var snapshot = Http(CatchAllRoutes("web"), FaultFilter(""" "abort": { "http_status": 503, "percentage": { "numerator": 1, "denominator": 7 } } """));

        var output = FaultInjection(snapshot);

        Assert.EndsWith("abort.percentage.denominator", output.AssertDiagnostic(DiagnosticSeverity.Error, "listener web", "denominator").Field);
        Assert.Equal(0, output.Faults().Count);
    }

    [Fact]
    public void Delay_IsReportedAsNeedingL7_AndTheAbortNextToItStillApplies()
    {
        var snapshot = Http(CatchAllRoutes("web"), FaultFilter(""" "delay": { "fixed_delay": "1s", "percentage": { "numerator": 50 } }, """ + Abort(10)));

        var output = FaultInjection(snapshot);

        Assert.EndsWith(".delay", output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener web", "delay needs L7").Field);
        Assert.Equal(100_000u, output.AbortShareOf(snapshot, "web"));
    }

    [Theory]
    [InlineData(""" "headers": [ { "name": "x-fault", "present_match": true } ], """, ".headers")]
    [InlineData(""" "downstream_nodes": [ "canary" ], """, ".downstream_nodes")]
    [InlineData(""" "upstream_cluster": "web", """, ".upstream_cluster")]
    public void ConditionedFault_NeedsL7_NothingIsInjected(string condition, string field)
    {
        var output = FaultInjection(Http(CatchAllRoutes("web"), FaultFilter(condition + Abort(50))));

        Assert.Equal(0, output.Faults().Count);
        Assert.EndsWith(field, output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener web", "needs L7").Field);
    }

    [Fact]
    public void HeaderAbort_NeedsL7_NothingIsInjected()
    {
        var output = FaultInjection(Http(CatchAllRoutes("web"), FaultFilter(""" "abort": { "header_abort": {}, "percentage": { "numerator": 100 } } """)));

        Assert.Equal(0, output.Faults().Count);
        output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener web", "header");
    }

    [Fact]
    public void VirtualHostOverride_ReplacesTheFilterConfig()
    {
        var routes = $$"""
            { "virtual_hosts": [ { "name": "all", "domains": ["*"],
                "typed_per_filter_config": { "envoy.filters.http.fault": { "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault", {{Abort(40)}} } },
                "routes": [ { "match": { "prefix": "/" }, "route": { "cluster": "web" } } ] } ] }
            """;
        var snapshot = Http(routes, FaultFilter(Abort(10)));

        var output = FaultInjection(snapshot);

        Assert.Equal(400_000u, output.AbortShareOf(snapshot, "web"));
    }

    [Fact]
    public void FaultOnlyOnANonCatchAllRoute_NeedsL7_NothingIsInjected()
    {
        var routes = $$"""
            { "virtual_hosts": [ { "name": "all", "domains": ["*"], "routes": [
                { "match": { "prefix": "/api" }, "route": { "cluster": "web" },
                  "typed_per_filter_config": { "envoy.filters.http.fault": { "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault", {{Abort(40)}} } } },
                { "match": { "prefix": "/" }, "route": { "cluster": "web" } } ] } ] }
            """;
        var snapshot = Http(routes, FaultFilter(""" "max_active_faults": 10 """));

        var output = FaultInjection(snapshot);

        Assert.Equal(0, output.Faults().Count);
        output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener web", "L7");
    }

    [Fact]
    public void SingleNonCatchAllRouteWithItsOwnFault_NeedsL7()
    {
        var routes = $$"""
            { "virtual_hosts": [ { "name": "all", "domains": ["*"], "routes": [
                { "match": { "prefix": "/api" }, "route": { "cluster": "web" },
                  "typed_per_filter_config": { "envoy.filters.http.fault": { "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault", {{Abort(40)}} } } } ] } ] }
            """;

        var output = FaultInjection(Http(routes, FaultFilter("")));

        Assert.Equal(0, output.Faults().Count);
        output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener web", "does not match every request");
    }

    [Fact]
    public void RouteDisablingTheFilter_OnTheOnlyCatchAllRoute_NoEntry()
    {
        var routes = """
            { "virtual_hosts": [ { "name": "all", "domains": ["*"], "routes": [
                { "match": { "prefix": "/" }, "route": { "cluster": "web" },
                  "typed_per_filter_config": { "envoy.filters.http.fault": { "@type": "type.googleapis.com/envoy.config.route.v3.FilterConfig", "disabled": true } } } ] } ] }
            """;

        var output = FaultInjection(Http(routes, FaultFilter(Abort(40))));

        Assert.Equal(0, output.Faults().Count);
    }

    [Fact]
    public void FaultsDifferingBetweenVirtualHosts_NeedL7_NothingIsInjected()
    {
        var routes = $$"""
            { "virtual_hosts": [
                { "name": "a", "domains": ["a"], "routes": [ { "match": { "prefix": "/" }, "route": { "cluster": "web" } } ] },
                { "name": "b", "domains": ["b"],
                  "typed_per_filter_config": { "envoy.filters.http.fault": { "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault", {{Abort(90)}} } },
                  "routes": [ { "match": { "prefix": "/" }, "route": { "cluster": "web" } } ] } ] }
            """;

        var output = FaultInjection(Http(routes, FaultFilter(Abort(10))));

        Assert.Equal(0, output.Faults().Count);
        Assert.Contains("virtual_hosts[1]", output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener web", "needs L7").Field);
    }

    [Fact]
    public void Translate_SameSnapshotTwice_IdenticalBytes()
    {
        var snapshot = Http(CatchAllRoutes("web"), FaultFilter(Abort(30)));

        Assert.Equal(FaultInjection(snapshot).Dump(), FaultInjection(snapshot).Dump());
    }
}
