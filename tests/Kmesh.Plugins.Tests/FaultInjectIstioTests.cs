using Kmesh.Plugins.FaultInject;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using static Kmesh.Plugins.Tests.Resources;

namespace Kmesh.Plugins.Tests;

/// <summary>
/// Faults the Istio way: a VirtualService's fault is written on its host's routes of the shared
/// <c>0.0.0.0_PORT</c> listener. Each virtual host naming a VIP is a service of its own, under
/// the same id routing gives its VIPs.
/// </summary>
public class FaultInjectIstioTests
{
    private const string FaultFilter = """
        { "name": "envoy.filters.http.fault", "typed_config": { "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault" } }
        """;

    private static string HcmWithRds(string routes) => $$"""
        {
          "name": "envoy.filters.network.http_connection_manager",
          "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
            "stat_prefix": "outbound_0.0.0.0_9080",
            "rds": { "route_config_name": "{{routes}}", "config_source": { "ads": {} } },
            "http_filters": [ {{FaultFilter}}, { "name": "envoy.filters.http.router", "typed_config": { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" } } ]
          }
        }
        """;

    private static string Abort(int percent) => $$"""
        "typed_per_filter_config": { "envoy.filters.http.fault": {
          "@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault",
          "abort": { "http_status": 503, "percentage": { "numerator": {{percent}}, "denominator": "HUNDRED" } } } }
        """;

    private static MeshSnapshot Snapshot(string ratingsRoutes) => new SnapshotBuilder()
        .Listener(ListenerWith("0.0.0.0_9080", "0.0.0.0", 9080, HcmWithRds("9080")))
        .Route(RouteConfiguration($$"""
            { "name": "9080", "virtual_hosts": [
              { "name": "reviews:9080", "domains": ["reviews", "10.96.0.15"], "routes": [ { "match": { "prefix": "/" }, "route": { "cluster": "reviews" } } ] },
              { "name": "ratings:9080", "domains": ["ratings", "10.96.0.16"], "routes": {{ratingsRoutes}} },
              { "name": "allow_any", "domains": ["*"], "routes": [ { "match": { "prefix": "/" }, "route": { "cluster": "PassthroughCluster" } } ] } ] }
            """))
        .Build();

    [Fact]
    public void FaultOnOneHostsCatchAll_AppliesToThatHostsServiceOnly_UnderRoutingsId()
    {
        var snapshot = Snapshot($$"""[ { "match": { "prefix": "/" }, "route": { "cluster": "ratings" }, {{Abort(30)}} } ]""");

        var faults = GovernanceTranslation.FaultInjection(snapshot);
        var routes = Translation.Routing(snapshot);

        var ratingsId = snapshot.Ids.ServiceId(HttpVirtualHosts.ServiceName("0.0.0.0_9080", "ratings:9080"));
        var entry = Assert.Single(faults.Faults().TypedEntries);
        Assert.Equal((ratingsId, 300_000u), (entry.Key, entry.Value.AbortPerMillion));
        Assert.Equal(ratingsId, routes.RouteFor("10.96.0.16", 9080).ServiceId);
    }

    [Fact]
    public void FaultOnAPathRouteOfAHost_NeedsL7_AndNothingIsInjected()
    {
        var snapshot = Snapshot($$"""
            [ { "match": { "prefix": "/admin" }, "route": { "cluster": "ratings" }, {{Abort(100)}} },
              { "match": { "prefix": "/" }, "route": { "cluster": "ratings" } } ]
            """);

        var faults = GovernanceTranslation.FaultInjection(snapshot);

        Assert.Equal(0, faults.Faults().Count);
        faults.AssertDiagnostic(DiagnosticSeverity.Warning, "listener 0.0.0.0_9080", "needs L7");
    }
}
