using Envoy.Config.Core.V3;
using Envoy.Extensions.AccessLoggers.Stream.V3;
using Envoy.Extensions.Filters.Http.Fault.V3;
using Envoy.Extensions.Filters.Http.LocalRatelimit.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.TransportSockets.Tls.V3;
using Envoy.Config.Cluster.V3;
using Kmesh.Envoy.Api;

namespace Kmesh.Xds.Tests;

/// <summary>Real configs written by others (copied from the shared corpus) read into real content.</summary>
public class CorpusTests
{
    [Fact]
    public void FrontProxy_TwoListenersTwoClustersAndTls()
    {
        var r = TestData.Load("envoyproxy__examples__front-proxy__envoy.yaml");

        Assert.Equal([8080u, 8443u], r.Listeners.Select(l => l.Address.SocketAddress.PortValue));
        Assert.Equal(["service1-envoy", "service2-envoy"], r.Clusters.Select(c => c.Name));
        Assert.All(r.Clusters, c => Assert.Equal(Cluster.Types.DiscoveryType.StrictDns, c.Type));
        Assert.Equal(8000u, r.Clusters[0].LoadAssignment.Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.PortValue);

        var filter = r.Listeners[0].FilterChains[0].Filters[0];
        Assert.Equal(EnvoyTypes.HttpConnectionManager, filter.TypedConfig.TypeUrl);
        var hcm = filter.TypedConfig.Unpack<HttpConnectionManager>();
        var routes = hcm.RouteConfig.VirtualHosts[0].Routes;
        Assert.Equal(["/service/1", "/service/2"], routes.Select(x => x.Match.Prefix));
        Assert.Equal(["service1-envoy", "service2-envoy"], routes.Select(x => x.Route_.Cluster));

        var tls = r.Listeners[1].FilterChains[0].TransportSocket.TypedConfig.Unpack<DownstreamTlsContext>();
        Assert.StartsWith("-----BEGIN CERTIFICATE-----", tls.CommonTlsContext.TlsCertificates[0].CertificateChain.InlineString);
        Assert.Null(r.VersionInfo);
    }

    [Fact]
    public void DynamicConfigFs_Cds()
    {
        var r = TestData.Load("envoyproxy__examples__dynamic-config-fs__configs__cds.yaml");

        var cluster = Assert.Single(r.Clusters);
        Assert.Equal("example_proxy_cluster", cluster.Name);
        Assert.Equal(Cluster.Types.LbPolicy.RoundRobin, cluster.LbPolicy);
        var socket = cluster.LoadAssignment.Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress;
        Assert.Equal(("service1", 8080u), (socket.Address, socket.PortValue));
        Assert.Equal(2, r.LineOf(EnvoyTypes.Cluster, "example_proxy_cluster"));
    }

    [Fact]
    public void DynamicConfigFs_Lds_LoneFilterMappingIsAListOfOne()
    {
        var r = TestData.Load("envoyproxy__examples__dynamic-config-fs__configs__lds.yaml");

        var listener = Assert.Single(r.Listeners);
        Assert.Equal("listener_0", listener.Name);
        Assert.Equal(10000u, listener.Address.SocketAddress.PortValue);
        var filter = Assert.Single(listener.FilterChains[0].Filters);
        var hcm = filter.TypedConfig.Unpack<HttpConnectionManager>();
        Assert.Equal("example_proxy_cluster", hcm.RouteConfig.VirtualHosts[0].Routes[0].Route_.Cluster);
        Assert.Equal("type.googleapis.com/envoy.extensions.filters.http.router.v3.Router", hcm.HttpFilters[0].TypedConfig.TypeUrl);
    }

    [Fact]
    public void FaultInjection_AbortAndDelay()
    {
        var r = TestData.Load("envoyproxy__examples__fault-injection__envoy.yaml");

        var hcm = r.Listeners[0].FilterChains[0].Filters[0].TypedConfig.Unpack<HttpConnectionManager>();
        Assert.True(hcm.AccessLog[0].TypedConfig.Is(StdoutAccessLog.Descriptor));
        var fault = hcm.HttpFilters[0].TypedConfig.Unpack<HTTPFault>();
        Assert.Equal(503u, fault.Abort.HttpStatus);
        Assert.Equal(3, fault.Delay.FixedDelay.Seconds);
        Assert.Equal(global::Envoy.Type.V3.FractionalPercent.Types.DenominatorType.Hundred, fault.Delay.Percentage.Denominator);
        Assert.Equal("local_service", Assert.Single(r.Clusters).Name);
    }

    [Fact]
    public void LocalRateLimit_TokenBucketOnBothListeners()
    {
        var r = TestData.Load("envoyproxy__examples__local_ratelimit__envoy.yaml");

        Assert.Equal([9902u, 10000u], r.Listeners.Select(l => l.Address.SocketAddress.PortValue));
        foreach (var listener in r.Listeners)
        {
            var hcm = listener.FilterChains[0].Filters[0].TypedConfig.Unpack<HttpConnectionManager>();
            var limit = hcm.HttpFilters[0].TypedConfig.Unpack<LocalRateLimit>();
            Assert.Equal(2u, limit.TokenBucket.MaxTokens);
            Assert.Equal(5, limit.TokenBucket.FillInterval.Seconds);
            Assert.Equal("true", limit.ResponseHeadersToAdd[0].Header.Value);
            Assert.Equal(HeaderValueOption.Types.HeaderAppendAction.OverwriteIfExistsOrAdd, limit.ResponseHeadersToAdd[0].AppendAction);
        }
    }

    [Fact]
    public void LoadBalancingPolicy_TypedRandomPolicy()
    {
        var r = TestData.Load("envoyproxy__envoy__docs__root__intro__arch_overview__upstream___include__load-balancing-policy.yaml");

        var cluster = Assert.Single(r.Clusters);
        var policy = cluster.LoadBalancingPolicy.Policies[0].TypedExtensionConfig;
        Assert.Equal("envoy.load_balancing_policies.random", policy.Name);
        Assert.True(policy.TypedConfig.Is(global::Envoy.Extensions.LoadBalancingPolicies.Random.V3.Random.Descriptor));
        Assert.Equal("listener_0", r.Listeners[0].Name);
    }

    [Fact]
    public void LocalityLoadBalancing_PrioritiesAndWeights()
    {
        var r = TestData.Load("envoyproxy__examples__locality-load-balancing__envoy.yaml");

        var cla = Assert.Single(r.Clusters).LoadAssignment;
        Assert.Equal([0u, 1u, 1u, 2u], cla.Endpoints.Select(e => e.Priority));
        Assert.All(cla.Endpoints, e => Assert.NotNull(e.LoadBalancingWeight));
    }
}
