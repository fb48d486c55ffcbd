namespace Kmesh.Xds.Tests;

/// <summary>Malformed files fail with file:line:column: field path: reason.</summary>
public class ParseErrorTests
{
    private static ConfigParseException Fail(string text, string file = "mesh.yaml") =>
        Assert.Throws<ConfigParseException>(() => EnvoyConfigFile.Parse(file, text));

    private const string TcpListener = """
        static_resources:
          listeners:
          - name: mesh
            address:
              socket_address: { address: 0.0.0.0, port_value: 15001 }
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: mesh
                  cluster: CLUSTER
        """;

    [Fact]
    public void NumberWhereAStringBelongs_PointsAtTheValue()
    {
        var ex = Fail(TcpListener.Replace("CLUSTER", "80"));

        Assert.StartsWith("mesh.yaml:12:20: listeners[0].filter_chains[0].filters[0].typed_config.cluster: expected a string", ex.Message);
        Assert.Equal((12, 20), (ex.Line, ex.Column));
        Assert.Equal("listeners[0].filter_chains[0].filters[0].typed_config.cluster", ex.FieldPath);
    }

    [Fact]
    public void NegativeWhereAnUnsignedBelongs_NamesTheField()
    {
        // Percentages and thresholds are uint32: a negative one never reaches a translator.
        var ex = Fail("""
            static_resources:
              clusters:
              - name: backend
                outlier_detection: { max_ejection_percent: -5 }
            """);

        Assert.Equal("clusters[0].outlier_detection.max_ejection_percent", ex.FieldPath);
        Assert.Equal(4, ex.Line);
    }

    [Fact]
    public void MappingWhereAStringBelongs()
    {
        var ex = Fail(TcpListener.Replace("CLUSTER", "{ name: backend }"));

        Assert.Equal(12, ex.Line);
        Assert.Contains("expected a string, not a mapping", ex.Message);
    }

    [Fact]
    public void TheValidListenerParses()
    {
        var r = EnvoyConfigFile.Parse("mesh.yaml", TcpListener.Replace("CLUSTER", "backend"));

        var tcp = r.Listeners[0].FilterChains[0].Filters[0].TypedConfig.Unpack<global::Envoy.Extensions.Filters.Network.TcpProxy.V3.TcpProxy>();
        Assert.Equal("backend", tcp.Cluster);
        Assert.Equal(3, r.LineOf(Kmesh.Envoy.Api.EnvoyTypes.Listener, "mesh"));
    }

    [Fact]
    public void UnknownField_NamesItAtItsKey()
    {
        var ex = Fail("""
            static_resources:
              clusters:
              - name: backend
                conect_timeout: 1s
            """);

        Assert.Equal("mesh.yaml:4:5: clusters[0].conect_timeout: unknown field 'conect_timeout' in envoy.config.cluster.v3.Cluster", ex.Message);
    }

    [Fact]
    public void UnknownEnumName_ListsTheChoices()
    {
        var ex = Fail("""
            static_resources:
              clusters:
              - name: backend
                type: STRICT_DSN
            """);

        Assert.Equal((4, 11), (ex.Line, ex.Column));
        Assert.Contains("unknown envoy.config.cluster.v3.Cluster.DiscoveryType value 'STRICT_DSN'", ex.Message);
        Assert.Contains("STRICT_DNS", ex.Message);
    }

    [Fact]
    public void BadDuration_FoundByNarrowingTheParserError()
    {
        var ex = Fail("""
            static_resources:
              clusters:
              - name: backend
                type: STATIC
                connect_timeout: 5x
            """);

        Assert.Equal((5, 22), (ex.Line, ex.Column));
        Assert.Equal("clusters[0].connect_timeout", ex.FieldPath);
        Assert.IsAssignableFrom<Google.Protobuf.InvalidProtocolBufferException>(ex.InnerException);
    }

    [Fact]
    public void BadValueDeepInsideTypedConfig_IsNarrowedThroughAnyAndLists()
    {
        var ex = Fail("""
            resources:
            - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
              name: web
              filter_chains:
              - filters:
                - name: hcm
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: web
                    route_config:
                      virtual_hosts:
                      - name: all
                        domains: ["*"]
                        routes:
                        - match: { prefix: "/" }
                          route: { cluster: a }
                        - match: { prefix: "/b" }
                          route: { cluster: b, timeout: soon }
            """, "lds.yaml");

        Assert.Equal("lds.yaml", ex.FilePath);
        Assert.Equal(18, ex.Line);
        Assert.Equal("resources[0].filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0].routes[1].route.timeout", ex.FieldPath);
    }

    [Fact]
    public void NumberOutOfRange()
    {
        var ex = Fail("""
            static_resources:
              listeners:
              - name: l
                address:
                  socket_address:
                    address: 0.0.0.0
                    port_value: 99999999999
            """);

        Assert.Equal(7, ex.Line);
        Assert.Equal("listeners[0].address.socket_address.port_value", ex.FieldPath);
    }

    [Fact]
    public void TwoMembersOfAOneof()
    {
        var ex = Fail("""
            static_resources:
              listeners:
              - name: l
                address:
                  socket_address:
                    address: 0.0.0.0
                    port_value: 80
                    named_port: http
            """);

        Assert.Equal(8, ex.Line);
        Assert.Contains("'named_port' and 'port_value' cannot both be set", ex.Message);
    }

    [Fact]
    public void UnknownResourceType_IsNamedInAWarning()
    {
        // Not an error since unknown types are skipped (see UnknownTypeTests), but a typo is
        // still pointed at, with the likely intended type.
        var r = EnvoyConfigFile.Parse("mesh.yaml", """
            version_info: "1"
            resources:
            - "@type": type.googleapis.com/envoy.config.listener.v3.Listner
              name: l
            """);

        Assert.Empty(r.Listeners);
        var warning = Assert.Single(r.Warnings);
        Assert.Equal((3, 12), (warning.Line, warning.Column));
        Assert.Contains("unknown resource type 'type.googleapis.com/envoy.config.listener.v3.Listner'", warning.Message);
        Assert.Contains("did you mean 'type.googleapis.com/envoy.config.listener.v3.Listener'?", warning.Message);
    }

    [Fact]
    public void UnknownTypedConfigType_IsNamedInAWarning()
    {
        var r = EnvoyConfigFile.Parse("mesh.yaml", TcpListener.Replace("tcp_proxy.v3.TcpProxy", "tcp_proxy.v3.TcpProxi").Replace("CLUSTER", "b"));

        var warning = Assert.Single(r.Warnings);
        Assert.Equal(10, warning.Line);
        Assert.Equal("listeners[0].filter_chains[0].filters[0].typed_config", warning.FieldPath);
        Assert.Contains("envoy.extensions.filters.network.tcp_proxy.v3.TcpProxi", warning.Message);
        Assert.Contains("did you mean 'type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy'?", warning.Message);
        Assert.True(r.Listeners[0].FilterChains[0].Filters[0].TypedConfig.Value.IsEmpty);
    }

    [Fact]
    public void KnownTypeThatIsNotAResource()
    {
        var ex = Fail("""
            resources:
            - "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
              cluster: a
            """);

        Assert.Equal(2, ex.Line);
        Assert.Contains("not one Kmesh reads", ex.Message);
    }

    [Fact]
    public void DuplicateNames_NameBothLines()
    {
        var ex = Fail("""
            resources:
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: backend
            - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
              cluster_name: backend
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: backend
            """);

        Assert.Equal(6, ex.Line);
        Assert.Contains("duplicate cluster name 'backend': defined at line 2 and again at line 6", ex.Message);
    }

    [Fact]
    public void InvalidYaml_GivesItsLine()
    {
        var ex = Fail("""
            static_resources:
              clusters:
              - name: "backend
            """);

        Assert.StartsWith("mesh.yaml:", ex.Message);
        Assert.Contains("invalid YAML", ex.Message);
        Assert.InRange(ex.Line, 3, 4);
    }

    [Fact]
    public void TypoInABootstrapKey_IsReported_ButEnvoysOwnKeysAreNot()
    {
        var ex = Fail("""
            admin: {}
            node: { id: n }
            static_resources:
              clusters: []
            layered_runtim: {}
            """);

        Assert.Equal("mesh.yaml:5:1: layered_runtim: unknown field 'layered_runtim' in envoy.config.bootstrap.v3.Bootstrap", ex.Message);
    }

    [Theory]
    [InlineData("just text", "expected a mapping")]
    [InlineData("listeners: []", "neither static_resources")]
    [InlineData("static_resources: [a]", "expected a mapping")]
    [InlineData("", "empty")]
    public void OtherShapes_AreRefusedWithAReason(string text, string reason)
    {
        var ex = Fail(text);

        Assert.Equal(1, ex.Line);
        Assert.Contains(reason, ex.Message);
    }
}
