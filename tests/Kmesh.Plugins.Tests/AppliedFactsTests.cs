using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using static Kmesh.Plugins.Tests.GovernanceTranslation;
using static Kmesh.Plugins.Tests.Resources;

namespace Kmesh.Plugins.Tests;

/// <summary>
/// What each plugin reports it made of a resource (<see cref="TranslationOutput.Facts"/>), named
/// as its diagnostics name the resource, so that <c>kmesh config check</c> can join them.
/// </summary>
public class AppliedFactsTests
{
    private const string Vip = "127.10.0.10";

    [Fact]
    public void Routing_TcpProxyListener_ReportsItsVipAndCluster()
    {
        var output = Translation.Routing(new SnapshotBuilder().Listener(TcpProxyListener("reviews", Vip, 9080, "reviews")).Build());

        var fact = Assert.Single(output.Facts);
        Assert.Equal((AppliedKind.Vip, ResourceRef.Listener("reviews"), "127.10.0.10:9080 → cluster 'reviews'"), (fact.Kind, fact.Resource, fact.Detail));
    }

    [Fact]
    public void Routing_WeightedClusters_ReportsTheSplit()
    {
        var listener = ListenerWith("ratings", Vip, 9080, WeightedTcpProxyFilter(("v1", 90), ("v2", 10)));

        var output = Translation.Routing(new SnapshotBuilder().Listener(listener).Build());

        Assert.Equal("127.10.0.10:9080 → weighted clusters v1=90, v2=10", Assert.Single(output.Facts).Detail);
    }

    [Fact]
    public void Routing_ListenerLeftOut_ReportsNoFact()
    {
        // Routes that differ by path need L7: a warning, and nothing applied.
        var routes = """{ "virtual_hosts": [ { "name": "all", "domains": ["*"], "routes": [ { "match": { "prefix": "/a" }, "route": { "cluster": "a" } }, { "match": { "prefix": "/" }, "route": { "cluster": "b" } } ] } ] }""";
        var output = Translation.Routing(new SnapshotBuilder().Listener(ListenerWith("web", Vip, 80, Hcm(routes))).Build());

        Assert.Empty(output.Facts);
        output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener web", "needs L7");
    }

    [Fact]
    public void Routing_WildcardListener_ReportsEachVipAtTheDomainThatNamedIt()
    {
        var listener = ListenerWith("0.0.0.0_9080", "0.0.0.0", 9080, HttpFilter("""
            "route_config": { "virtual_hosts": [ { "name": "reviews", "domains": ["reviews", "10.96.0.15"], "routes": [ { "match": { "prefix": "/" }, "route": { "cluster": "reviews" } } ] } ] }
            """));

        var output = Translation.Routing(new SnapshotBuilder().Listener(listener).Build());

        var fact = Assert.Single(output.Facts);
        Assert.Equal(ResourceRef.Listener("0.0.0.0_9080"), fact.Resource);
        Assert.Equal("filter_chains[0].filters[0].typed_config.virtual_hosts[0].domains[1]", fact.Field);
        Assert.Equal("10.96.0.15:9080 → cluster 'reviews'", fact.Detail);
    }

    [Fact]
    public void LoadBalance_ReportsPolicyAndEachEndpointsShare()
    {
        var output = Translation.LoadBalance(new SnapshotBuilder().Cluster(StaticCluster("web", "RANDOM", "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80", "10.0.0.4:80")).Build());

        Assert.All(output.Facts, f => Assert.Equal(ResourceRef.Cluster("web"), f.Resource));
        Assert.Equal("RANDOM load balancing", Assert.Single(output.Facts, f => f.Kind == AppliedKind.Policy).Detail);
        Assert.Equal("4 of 4 endpoints take connects: 10.0.0.1:80 25%, 10.0.0.2:80 25%, 10.0.0.3:80 25%, 10.0.0.4:80 25%",
            Assert.Single(output.Facts, f => f.Kind == AppliedKind.Endpoints).Detail);
    }

    [Fact]
    public void LoadBalance_PriorityFailover_OnlyTheHealthyPriorityTakesConnects()
    {
        var assignment = LoadAssignment($$"""
            {
              "cluster_name": "db",
              "endpoints": [
                { "priority": 0, "lb_endpoints": [ {{LbEndpoint("10.0.0.1:5432", health: "UNHEALTHY")}}, {{LbEndpoint("10.0.0.2:5432")}} ] },
                { "priority": 1, "lb_endpoints": [ {{LbEndpoint("10.0.1.1:5432")}} ] }
              ]
            }
            """);
        var snapshot = new SnapshotBuilder().Cluster(EdsCluster("db")).Endpoints("db", assignment).Build();

        var output = Translation.LoadBalance(snapshot);

        // Priority 0 is half healthy: 50% × 1.4 = 70% stays there, 30% fails over to priority 1.
        Assert.Equal("2 of 3 endpoints take connects: 10.0.0.2:5432 70%, 10.0.1.1:5432 30%; priorities 0, 1",
            Assert.Single(output.Facts, f => f.Kind == AppliedKind.Endpoints).Detail);
    }

    [Fact]
    public void LoadBalance_NoEndpoints_SaysConnectsFail()
    {
        var output = Translation.LoadBalance(new SnapshotBuilder().Cluster(EdsCluster("empty")).Build());

        Assert.Equal("no endpoints: connects fail with EHOSTUNREACH", Assert.Single(output.Facts, f => f.Kind == AppliedKind.Endpoints).Detail);
    }

    [Fact]
    public void RateLimit_NetworkLocalRateLimit_ReportsTheBucketAtItsField()
    {
        var listener = ListenerWith("limited", Vip, 9080,
            LocalRateLimitFilter("""{ "max_tokens": 5, "tokens_per_fill": 1, "fill_interval": "0.5s" }""") + ", " + TcpProxyFilter("limited"));

        var output = RateLimiting(new SnapshotBuilder().Listener(listener).Build());

        var fact = Assert.Single(output.Facts);
        Assert.Equal((AppliedKind.Policy, ResourceRef.Listener("limited"), "filter_chains[0].filters[0].typed_config.token_bucket"), (fact.Kind, fact.Resource, fact.Field));
        Assert.Equal("connection rate limit: a bucket of 5 tokens, 1 added every 0.5 s; a connect without a token fails with ENOBUFS", fact.Detail);
    }

    [Fact]
    public void RateLimit_InvalidBucket_ReportsAnErrorAndNoFact()
    {
        var listener = ListenerWith("limited", Vip, 9080,
            LocalRateLimitFilter("""{ "max_tokens": 0, "fill_interval": "1s" }""") + ", " + TcpProxyFilter("limited"));

        var output = RateLimiting(new SnapshotBuilder().Listener(listener).Build());

        Assert.Empty(output.Facts);
        output.AssertDiagnostic(DiagnosticSeverity.Error, "listener limited", "at least 1");
    }

    [Theory]
    [InlineData(30u, "HUNDRED", "fault abort: 30% of new connects refused with ECONNREFUSED")]
    [InlineData(7u, "MILLION", "fault abort: 0.0007% of new connects refused with ECONNREFUSED")]
    [InlineData(0u, "HUNDRED", "fault abort: 0% of new connects refused (none is)")]
    public void FaultInject_Abort_ReportsTheShare(uint numerator, string denominator, string detail)
    {
        var snapshot = new SnapshotBuilder().Listener(ListenerWith("web", Vip, 9080, Hcm(CatchAllRoutes("web"), FaultFilter(Abort(numerator, denominator))))).Build();

        var output = FaultInjection(snapshot);

        var fact = Assert.Single(output.Facts);
        Assert.Equal((AppliedKind.Policy, ResourceRef.Listener("web"), detail), (fact.Kind, fact.Resource, fact.Detail));
        Assert.Equal("filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.abort", fact.Field);
    }

    [Fact]
    public void FaultInject_DelayOnly_ReportsNoFactButTheNeedsL7Warning()
    {
        var delay = """ "delay": { "fixed_delay": "3s", "percentage": { "numerator": 50, "denominator": "HUNDRED" } } """;
        var snapshot = new SnapshotBuilder().Listener(ListenerWith("web", Vip, 9080, Hcm(CatchAllRoutes("web"), FaultFilter(delay)))).Build();

        var output = FaultInjection(snapshot);

        Assert.Empty(output.Facts);
        Assert.EndsWith(".delay", output.AssertDiagnostic(DiagnosticSeverity.Warning, "listener web", "needs L7").Field);
    }
}
