using Envoy.Config.Core.V3;
using Envoy.Extensions.Filters.Http.Fault.V3;
using Kmesh.Envoy.Api;

namespace Kmesh.Xds.Tests;

/// <summary>Corpus files in the shapes beyond the two main ones: bare lists and config dumps.</summary>
public class OtherShapeCorpusTests
{
    [Fact]
    public void GatewayBareRouteList_CamelCaseWithPerRouteFault()
    {
        var r = TestData.Load("envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__fault-injection.routes.yaml");

        var route = Assert.Single(r.Routes).VirtualHosts[0].Routes[0];
        Assert.Equal("foo/bar", route.Match.Path);
        var fault = route.TypedPerFilterConfig["envoy.filters.http.fault"].Unpack<HTTPFault>();
        Assert.Equal(500u, fault.Abort.HttpStatus);
        Assert.Equal(global::Envoy.Type.V3.FractionalPercent.Types.DenominatorType.Million, fault.Abort.Percentage.Denominator);
    }

    [Fact]
    public void GatewayBareEndpointList_Priorities()
    {
        var r = TestData.Load("envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__backend-priority.endpoints.yaml");

        Assert.Equal(3, r.Endpoints.Count);
        var failover = r.Endpoints[2];
        Assert.Equal("envoyextensionpolicy/default/policy-for-http-route/0", failover.ClusterName);
        Assert.Equal([0u, 1u, 1u, 1u], failover.Endpoints.Select(e => e.Priority));
        Assert.Empty(failover.Endpoints[0].LbEndpoints);
        Assert.Equal(9000u, failover.Endpoints[1].LbEndpoints[0].Endpoint.Address.SocketAddress.PortValue);
        Assert.Equal(13, r.LineOf(EnvoyTypes.ClusterLoadAssignment, "httproute/default/httproute-2/rule/0"));
    }

    [Fact]
    public void IstioEndpointsConfigDump_StaticAndDynamic()
    {
        var r = TestData.Load("istio__istio__istioctl__pkg__writer__envoy__configdump__testdata__endpoint__configdump.json");

        Assert.Equal(37, r.Endpoints.Count);
        Assert.Equal(["zipkin", "sds-grpc", "agent", "xds-grpc", "prometheus_stats"], r.Endpoints.Take(5).Select(e => e.ClusterName));
        var reviews = r.Endpoints.First(e => e.ClusterName == "outbound|9080||reviews.default.svc.cluster.local");
        var lb = reviews.Endpoints[0].LbEndpoints[0];
        Assert.Equal(HealthStatus.Healthy, lb.HealthStatus);
        Assert.Equal("istio", lb.Metadata.FilterMetadata["envoy.transport_socket_match"].Fields["tlsMode"].StringValue);
    }

    [Fact]
    public void BareListOfMixedTypes_IsRefused()
    {
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("mixed.yaml", """
            - name: a
              connectTimeout: 1s
            - clusterName: a
              endpoints: []
            """));

        Assert.Contains("not all of one resource type", ex.Message);
    }
}
