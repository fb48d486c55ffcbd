using Envoy.Config.Cluster.V3;
using Envoy.Config.Listener.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Kmesh.Envoy.Api;

namespace Kmesh.Xds.Tests;

/// <summary>
/// What Kmesh does not know is reported and left out, and the rest applies: an extension of an
/// unknown type keeps its type URL with an empty value; a listed resource of an unknown type is
/// skipped. Mistakes in what it does know still fail the file.
/// </summary>
public class UnknownTypeTests
{
    private const string MetadataExchange = "type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange";

    // Istio's sidecar inbound chain: its own metadata exchange filter, then Envoy's TCP proxy.
    private const string IstioTcpListener = """
        static_resources:
          listeners:
          - name: virtualInbound
            address:
              socket_address: { address: 0.0.0.0, port_value: 15006 }
            filter_chains:
            - filters:
              - name: istio.metadata_exchange
                typed_config:
                  "@type": MX_TYPE
                  protocol: istio-peer-exchange
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: inbound
                  cluster: inbound|9080||
        """;

    [Theory]
    [InlineData(MetadataExchange)]
    // Istio's HTTP peer metadata filter; an Istio type URL need not start with type.googleapis.com.
    [InlineData("type.googleapis.com/io.istio.http.peer_metadata.Config")]
    public void IstioFilterBeforeTcpProxy_IsKeptEmptyAndTheProxyApplies(string typeUrl)
    {
        var r = EnvoyConfigFile.Parse("mesh.yaml", IstioTcpListener.Replace("MX_TYPE", typeUrl));

        var filters = Assert.Single(r.Listeners).FilterChains[0].Filters;
        Assert.Equal(["istio.metadata_exchange", "envoy.filters.network.tcp_proxy"], filters.Select(f => f.Name));
        Assert.Equal(typeUrl, filters[0].TypedConfig.TypeUrl);
        Assert.True(filters[0].TypedConfig.Value.IsEmpty);
        var tcp = filters[1].TypedConfig.Unpack<TcpProxy>();
        Assert.Equal(("inbound", "inbound|9080||"), (tcp.StatPrefix, tcp.Cluster));

        var warning = Assert.Single(r.Warnings);
        Assert.Equal(("mesh.yaml", 10, 20), (warning.File, warning.Line, warning.Column));
        Assert.Equal("listeners[0].filter_chains[0].filters[0].typed_config", warning.FieldPath);
        Assert.Contains($"unknown @type '{typeUrl}'", warning.Message);
        Assert.StartsWith("mesh.yaml:10:20: listeners[0].filter_chains[0].filters[0].typed_config: unknown @type", warning.ToString());
        Assert.Equal(3, r.LineOf(EnvoyTypes.Listener, "virtualInbound"));
    }

    [Fact]
    public void KnownFiles_HaveNoWarnings()
    {
        var r = EnvoyConfigFile.Parse("mesh.yaml", IstioTcpListener.Replace("MX_TYPE", EnvoyTypes.TcpProxy).Replace("protocol: istio-peer-exchange", "stat_prefix: x"));

        Assert.Empty(r.Warnings);
        Assert.Empty(new EnvoyResources([], [], [], [], null).Warnings);
    }

    [Fact]
    public void UnknownHttpFilterInsideTheConnectionManager_KeepsTheOthersInItsBytes()
    {
        // The unknown type sits inside a known Any (the HCM), whose content is bytes.
        var r = EnvoyConfigFile.Parse("hcm.yaml", """
            resources:
            - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
              name: http
              filter_chains:
              - filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: http
                    route_config:
                      virtual_hosts:
                      - name: all
                        domains: ["*"]
                        typed_per_filter_config:
                          envoy.filters.http.cors:
                            "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy
                            allow_origin_string_match: [{ exact: "*" }]
                        routes:
                        - match: { prefix: "/" }
                          route: { cluster: web }
                    http_filters:
                    - name: envoy.filters.http.cors
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors
                    - name: envoy.filters.http.router
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
            """);

        var hcm = r.Listeners[0].FilterChains[0].Filters[0].TypedConfig.Unpack<HttpConnectionManager>();
        Assert.Equal("type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors", hcm.HttpFilters[0].TypedConfig.TypeUrl);
        Assert.True(hcm.HttpFilters[0].TypedConfig.Value.IsEmpty);
        Assert.True(hcm.HttpFilters[1].TypedConfig.Is(global::Envoy.Extensions.Filters.Http.Router.V3.Router.Descriptor));
        var vhost = hcm.RouteConfig.VirtualHosts[0];
        Assert.Equal("web", vhost.Routes[0].Route_.Cluster);
        var perFilter = vhost.TypedPerFilterConfig["envoy.filters.http.cors"];
        Assert.Equal("type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy", perFilter.TypeUrl);
        Assert.True(perFilter.Value.IsEmpty);

        Assert.Equal(
            [
                (16, "resources[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].typed_per_filter_config[\"envoy.filters.http.cors\"]"),
                (24, "resources[0].filter_chains[0].filters[0].typed_config.http_filters[0].typed_config"),
            ],
            r.Warnings.Select(w => (w.Line, w.FieldPath)));
    }

    [Fact]
    public void UnknownTopLevelResources_AreSkipped_TheOthersApply()
    {
        var r = EnvoyConfigFile.Parse("xds.yaml", """
            version_info: "3"
            resources:
            - "@type": type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret
              name: default
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: backend
              type: EDS
            - "@type": type.googleapis.com/istio.networking.v1alpha3.ServiceEntry
              hosts: [example.com]
              any_shape: { of: [content] }
            - "@type": type.googleapis.com/envoy.config.route.v3.ScopedRouteConfiguration
              name: scoped
            - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
              cluster_name: backend
            """);

        Assert.Equal("backend", Assert.Single(r.Clusters).Name);
        Assert.Equal("backend", Assert.Single(r.Endpoints).ClusterName);
        Assert.Equal("3", r.VersionInfo);
        Assert.Equal(5, r.LineOf(EnvoyTypes.Cluster, "backend"));
        Assert.Equal(
            [
                "xds.yaml:3:12: resources[0]: resource type type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret " +
                    "is not one Kmesh reads (Listener, Cluster, ClusterLoadAssignment, RouteConfiguration); skipped",
                "xds.yaml:8:12: resources[2]: unknown resource type 'type.googleapis.com/istio.networking.v1alpha3.ServiceEntry': " +
                    "Kmesh does not know the message type istio.networking.v1alpha3.ServiceEntry; skipped",
                "xds.yaml:11:12: resources[3]: resource type type.googleapis.com/envoy.config.route.v3.ScopedRouteConfiguration " +
                    "is not one Kmesh reads (Listener, Cluster, ClusterLoadAssignment, RouteConfiguration); skipped",
            ],
            r.Warnings.Select(w => w.ToString()));
    }

    [Fact]
    public void MixedFile_KnownResourcesApply_WarningsInFileOrder()
    {
        var r = EnvoyConfigFile.Parse("mixed.yaml", """
            resources:
            - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
              name: tcp
              listener_filters:
              - name: envoy.filters.listener.original_dst
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.listener.original_dst.v3.OriginalDst
              filter_chains:
              - filters:
                - name: envoy.filters.network.tcp_proxy
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                    stat_prefix: tcp
                    cluster: backend
            - "@type": type.googleapis.com/envoy.config.core.v3.TypedExtensionConfig
              name: ecds
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: backend
              filters:
              - name: istio.metadata_exchange
                typed_config:
                  "@type": type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange
                  protocol: istio-peer-exchange
              transport_socket:
                name: envoy.transport_sockets.internal_upstream
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.transport_sockets.internal_upstream.v3.InternalUpstreamTransport
                  transport_socket:
                    name: raw_buffer
                    typed_config: { "@type": type.googleapis.com/envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer }
            """);

        var listener = Assert.Single(r.Listeners);
        Assert.Equal("backend", listener.FilterChains[0].Filters[0].TypedConfig.Unpack<TcpProxy>().Cluster);
        Assert.True(listener.ListenerFilters[0].TypedConfig.Value.IsEmpty);
        var cluster = Assert.Single(r.Clusters);
        Assert.Equal(MetadataExchange, cluster.Filters[0].TypedConfig.TypeUrl);
        Assert.Equal("envoy.transport_sockets.internal_upstream", cluster.TransportSocket.Name);
        Assert.Equal(
            [
                (7, "resources[0].listener_filters[0].typed_config"),
                (15, "resources[1]"),
                (22, "resources[2].filters[0].typed_config"),
                (27, "resources[2].transport_socket.typed_config"),
            ],
            r.Warnings.Select(w => (w.Line, w.FieldPath)));
        Assert.Contains("original_dst.v3.OriginalDst'", r.Warnings[0].Message);
        Assert.Contains("TypedExtensionConfig is not one Kmesh reads", r.Warnings[1].Message);
        Assert.Contains("metadataexchange.config.MetadataExchange'", r.Warnings[2].Message);
        Assert.Contains("internal_upstream.v3.InternalUpstreamTransport'", r.Warnings[3].Message);
    }

    [Fact]
    public void UnknownFieldOfAKnownType_StillFails_AfterAnUnknownType()
    {
        // The error is narrowed down to its node even with a placeholder in the same resource.
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("mesh.yaml",
            IstioTcpListener.Replace("MX_TYPE", MetadataExchange).Replace("cluster: inbound", "clustr: inbound")));

        Assert.Equal("mesh.yaml:16:11: listeners[0].filter_chains[0].filters[1].typed_config.clustr: " +
            "unknown field 'clustr' in envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy", ex.Message);
    }

    [Fact]
    public void BadValueOfAKnownType_NextToAnUnknownType_IsNarrowedToIt()
    {
        // The JSON parser, not the writer, finds this one; narrowing re-writes the fields.
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("c.yaml", """
            static_resources:
              clusters:
              - name: backend
                filters:
                - name: istio.metadata_exchange
                  typed_config:
                    "@type": type.googleapis.com/envoy.tcp.metadataexchange.config.MetadataExchange
                connect_timeout: 5x
            """));

        Assert.Equal((8, 22), (ex.Line, ex.Column));
        Assert.Equal("clusters[0].connect_timeout", ex.FieldPath);
    }

    [Fact]
    public void ErrorsInAFile_StillFailIt_WhateverItsWarnings()
    {
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("xds.yaml", """
            resources:
            - "@type": type.googleapis.com/istio.security.v1beta1.AuthorizationPolicy
              action: DENY
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: backend
              type: EDSS
            """));

        Assert.Equal("resources[1].type", ex.FieldPath);
    }

    [Fact]
    public void AnAnyWithoutAType_IsStillAnError()
    {
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("mesh.yaml",
            IstioTcpListener.Replace("\"@type\": MX_TYPE", "type: mx")));

        Assert.Equal("listeners[0].filter_chains[0].filters[0].typed_config", ex.FieldPath);
        Assert.Contains("missing \"@type\"", ex.Message);
    }

    [Fact]
    public void AMisspelledType_IsAWarningThatSuggestsTheRightOne()
    {
        var r = EnvoyConfigFile.Parse("mesh.yaml", IstioTcpListener.Replace("MX_TYPE",
            "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpPorxy"));

        Assert.Contains("(did you mean 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy'?)",
            Assert.Single(r.Warnings).Message);
    }

    [Fact]
    public void ARealTypeNearAKnownOne_GetsNoSuggestion()
    {
        // xds.type.matcher.v3.IPMatcher is real (just not compiled in), two letters from Matcher.
        var r = EnvoyConfigFile.Parse("l.yaml", """
            static_resources:
              listeners:
              - name: l
                filter_chain_matcher:
                  matcher_tree:
                    input:
                      name: ip
                      typed_config:
                        "@type": type.googleapis.com/envoy.extensions.matching.common_inputs.network.v3.DestinationIPInput
                    custom_match:
                      name: ip
                      typed_config:
                        "@type": type.googleapis.com/xds.type.matcher.v3.IPMatcher
            """);

        Assert.Equal(2, r.Warnings.Count);
        Assert.DoesNotContain(r.Warnings, w => w.Message.Contains("did you mean"));
        Assert.Equal("type.googleapis.com/xds.type.matcher.v3.IPMatcher",
            r.Listeners[0].FilterChainMatcher.MatcherTree.CustomMatch.TypedConfig.TypeUrl);
    }

    [Fact]
    public void UnknownConfigDumpSection_IsSkippedWithAWarning()
    {
        var r = EnvoyConfigFile.Parse("dump.json", """
            { "configs": [
                { "@type": "type.googleapis.com/envoy.admin.v3.FutureConfigDump", "things": [] },
                { "@type": "type.googleapis.com/envoy.admin.v3.ClustersConfigDump",
                  "static_clusters": [ { "cluster": { "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster", "name": "a" } } ] } ] }
            """);

        Assert.Equal("a", Assert.Single(r.Clusters).Name);
        var warning = Assert.Single(r.Warnings);
        Assert.Equal((2, "configs[0]"), (warning.Line, warning.FieldPath));
        Assert.Contains("unknown config dump section 'type.googleapis.com/envoy.admin.v3.FutureConfigDump'", warning.Message);
    }

    [Fact]
    public void AnUnknownTypeWhereTheDocumentSaysWhatBelongs_IsAnError()
    {
        // A config dump's listener entry must hold a Listener.
        var ex = Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse("dump.json", """
            { "configs": [ { "@type": "type.googleapis.com/envoy.admin.v3.ListenersConfigDump",
                "static_listeners": [ { "listener": { "@type": "type.googleapis.com/envoy.config.listener.v3.Listner" } } ] } ] }
            """));

        Assert.Equal("configs[0].static_listeners[0].listener.@type", ex.FieldPath);
        Assert.Contains("did you mean 'type.googleapis.com/envoy.config.listener.v3.Listener'?", ex.Message);
    }
}
