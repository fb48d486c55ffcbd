using Envoy.Config.Cluster.V3;
using Envoy.Extensions.Filters.Http.Fault.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Envoy.Extensions.TransportSockets.Tls.V3;
using Kmesh.Envoy.Api;

namespace Kmesh.Xds.Tests;

/// <summary>
/// Istio's config dumps (copied from the shared corpus): they hold Istio's own filter types and
/// Envoy extensions Kmesh does not compile, which are kept empty with a warning each, while
/// everything Kmesh knows is read in full.
/// </summary>
public class IstioCorpusTests
{
    private const string HttpConfig = "istio__istio__istioctl__pkg__describe__testdata__describe__http_config.json";
    private const string WaypointDump = "istio__istio__istioctl__pkg__proxyconfig__testdata__config_dump.json";

    [Fact]
    public void DescribeHttpConfig_ClusterWithMetadataExchangeFilter()
    {
        var r = TestData.Load(HttpConfig);

        var cluster = Assert.Single(r.Clusters);
        Assert.Equal("outbound|9080|v1|productpage.default.svc.cluster.local", cluster.Name);
        Assert.Equal(Cluster.Types.LbPolicy.LeastRequest, cluster.LbPolicy);
        var limits = cluster.CircuitBreakers.Thresholds[0];
        Assert.Equal(4294967295u, limits.MaxConnections);
        Assert.True(limits.TrackRemaining);

        var mx = Assert.Single(cluster.Filters);
        Assert.Equal("istio.metadata_exchange", mx.Name);
        Assert.Equal("type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange", mx.TypedConfig.TypeUrl);
        Assert.True(mx.TypedConfig.Value.IsEmpty);

        // The transport socket matches after the unknown filter are whole.
        Assert.Equal(["tlsMode-istio", "tlsMode-disabled"], cluster.TransportSocketMatches.Select(m => m.Name));
        var tls = cluster.TransportSocketMatches[0].TransportSocket.TypedConfig.Unpack<UpstreamTlsContext>();
        Assert.Equal("outbound_.9080_.v1_.productpage.default.svc.cluster.local", tls.Sni);
        Assert.Equal(["istio-peer-exchange", "istio"], tls.CommonTlsContext.AlpnProtocols);

        var warning = Assert.Single(r.Warnings);
        Assert.Equal((TestData.PathOf(HttpConfig), 247, 28), (warning.File, warning.Line, warning.Column));
        Assert.Equal("configs[1].dynamic_active_clusters[0].cluster.filters[0].typed_config", warning.FieldPath);
        Assert.Contains("'type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange'", warning.Message);
    }

    [Fact]
    public void DescribeHttpConfig_RoutesWithRetries()
    {
        var r = TestData.Load(HttpConfig);

        Assert.Empty(r.Listeners);
        var config = Assert.Single(r.Routes);
        Assert.Equal("http.8080", config.Name);
        var routes = Assert.Single(config.VirtualHosts).Routes;
        Assert.Equal(["/productpage", "", "/login", "/logout", ""], routes.Select(x => x.Match.Path));
        Assert.Equal(["", "/static", "", "", "/api/v1/products"], routes.Select(x => x.Match.Prefix));
        var first = routes[0];
        Assert.True(first.Match.CaseSensitive);
        Assert.Equal("outbound|9080||productpage.default.svc.cluster.local", first.Route_.Cluster);
        Assert.Equal(2u, first.Route_.RetryPolicy.NumRetries);
        Assert.Equal([503u], first.Route_.RetryPolicy.RetriableStatusCodes);
        Assert.Equal("envoy.retry_host_predicates.previous_hosts", first.Route_.RetryPolicy.RetryHostPredicate[0].Name);
        Assert.Equal("productpage.default.svc.cluster.local:9080/productpage", first.Decorator.Operation);
    }

    [Fact]
    public void WaypointConfigDump_AllSectionsRead()
    {
        var r = TestData.Load(WaypointDump);

        // The static health listener on 15021 has no name, as Envoy allows.
        Assert.Equal(["", "main_internal"], r.Listeners.Select(l => l.Name));
        Assert.Equal(15021u, r.Listeners[0].Address.SocketAddress.PortValue);
        Assert.Equal(["agent", "prometheus_stats", "inbound-vip|8000|http|httpbin.default.svc.cluster.local"],
            r.Clusters.Select(c => c.Name));
        // The dump's copies (prometheus_stats' endpoints, main_internal's inline routes) are not
        // resources of their own; the EDS assignment is.
        Assert.Equal(["inbound-vip|8100|http|httpbin.default.svc.cluster.local"],
            r.Endpoints.Select(e => e.ClusterName));
        Assert.Equal("connect_originate",
            r.Endpoints[0].Endpoints[0].LbEndpoints[0].Endpoint.Address.EnvoyInternalAddress.ServerListenerName);
        Assert.Empty(r.Routes);
        Assert.Equal(276, r.LineOf(EnvoyTypes.Listener, "main_internal"));
    }

    [Fact]
    public void WaypointConfigDump_IstioTcpChainKeepsItsProxy()
    {
        var r = TestData.Load(WaypointDump);

        var listener = r.Listeners[1];
        Assert.Equal(["inbound-vip|8000||httpbin.default.svc.cluster.local-http", "inbound-vip|8100||httpbin.default.svc.cluster.local-http",
            "direct-tcp", "direct-http"], listener.FilterChains.Select(c => c.Name));

        var tcpChain = listener.FilterChains[2].Filters;
        Assert.Equal(["connect_authority", "istio.metadata_exchange", "istio.stats", "envoy.filters.network.tcp_proxy"],
            tcpChain.Select(f => f.Name));
        Assert.Equal(
            [
                "type.googleapis.com/envoy.extensions.filters.network.set_filter_state.v3.Config",
                "type.googleapis.com/udpa.type.v1.TypedStruct",
                "type.googleapis.com/udpa.type.v1.TypedStruct",
            ],
            tcpChain.Take(3).Select(f => f.TypedConfig.TypeUrl));
        Assert.All(tcpChain.Take(3), f => Assert.True(f.TypedConfig.Value.IsEmpty));
        var tcp = tcpChain[3].TypedConfig.Unpack<TcpProxy>();
        Assert.Equal(("encap", "encap"), (tcp.StatPrefix, tcp.Cluster));

        Assert.Equal(["envoy.filters.listener.original_dst", "envoy.filters.listener.http_inspector"],
            listener.ListenerFilters.Select(f => f.Name));
    }

    [Fact]
    public void WaypointConfigDump_HttpFiltersKnownAndUnknown()
    {
        var r = TestData.Load(WaypointDump);

        var hcm = r.Listeners[1].FilterChains[0].Filters[0].TypedConfig.Unpack<HttpConnectionManager>();
        Assert.Equal(["envoy.filters.http.grpc_stats", "envoy.filters.http.fault", "envoy.filters.http.cors",
            "waypoint_upstream_peer_metadata", "istio.stats", "envoy.filters.http.router"], hcm.HttpFilters.Select(f => f.Name));
        // The unknown filters' types survive inside the connection manager's packed bytes.
        Assert.Equal("type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig", hcm.HttpFilters[0].TypedConfig.TypeUrl);
        Assert.Equal("type.googleapis.com/udpa.type.v1.TypedStruct", hcm.HttpFilters[4].TypedConfig.TypeUrl);
        Assert.True(hcm.HttpFilters[1].TypedConfig.Is(HTTPFault.Descriptor));
        Assert.True(hcm.HttpFilters[5].TypedConfig.Is(global::Envoy.Extensions.Filters.Http.Router.V3.Router.Descriptor));
        Assert.Equal("inbound|http|8000", hcm.RouteConfig.VirtualHosts[0].Name);
    }

    [Fact]
    public void WaypointConfigDump_OneWarningPerUnknownExtension()
    {
        var r = TestData.Load(WaypointDump);

        Assert.Equal(24, r.Warnings.Count);
        Assert.All(r.Warnings, w => Assert.Equal(TestData.PathOf(WaypointDump), w.File));
        Assert.Equal(r.Warnings.OrderBy(w => w.Line), r.Warnings);
        var types = r.Warnings.Select(w => w.Message.Split('\'')[1]).Distinct().Order().ToList();
        Assert.Equal(
            [
                "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors",
                "type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig",
                "type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector",
                "type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst",
                "type.googleapis.com/envoy.extensions.filters.network.set_filter_state.v3.Config",
                "type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.DestinationIPInput",
                "type.googleapis.com/envoy.extensions.request_id.uuid.v3.UuidRequestIdConfig",
                "type.googleapis.com/envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport",
                "type.googleapis.com/udpa.type.v1.TypedStruct",
                "type.googleapis.com/xds.type.matcher.v3.IPMatcher",
            ],
            types);
        Assert.Equal("configs[1].dynamic_active_clusters[0].cluster.transport_socket.typed_config", r.Warnings[0].FieldPath);
        Assert.Equal((101, 26), (r.Warnings[0].Line, r.Warnings[0].Column));
    }
}
