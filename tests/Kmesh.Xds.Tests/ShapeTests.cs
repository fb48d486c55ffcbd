using Kmesh.Envoy.Api;

namespace Kmesh.Xds.Tests;

/// <summary>The accepted document shapes, in YAML and JSON.</summary>
public class ShapeTests
{
    private const string ResourcesJson = """
        {
          "version_info": "v7",
          "resources": [
            {
              "@type": "type.googleapis.com/envoy.config.listener.v3.Listener",
              "name": "web",
              "address": { "socketAddress": { "address": "10.0.0.1", "portValue": 80 } }
            },
            {
              "@type": "type.googleapis.com/envoy.config.cluster.v3.Cluster",
              "name": "backend",
              "connect_timeout": "0.25s",
              "type": "EDS"
            },
            {
              "@type": "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment",
              "cluster_name": "backend",
              "endpoints": [ { "lb_endpoints": [ { "endpoint": { "address": { "socket_address": { "address": "10.1.0.5", "port_value": 8080 } } } } ] } ]
            },
            {
              "@type": "type.googleapis.com/envoy.config.route.v3.RouteConfiguration",
              "name": "web_routes",
              "virtual_hosts": [ { "name": "all", "domains": ["*"], "routes": [ { "match": { "prefix": "/" }, "route": { "cluster": "backend" } } ] } ]
            }
          ]
        }
        """;

    [Fact]
    public void JsonResourcesList_AllFourTypesAndVersion()
    {
        var r = EnvoyConfigFile.Parse("xds.json", ResourcesJson);

        Assert.Equal("v7", r.VersionInfo);
        Assert.Equal(80u, Assert.Single(r.Listeners).Address.SocketAddress.PortValue);
        Assert.Equal(250_000_000, Assert.Single(r.Clusters).ConnectTimeout.Nanos);
        Assert.Equal(8080u, Assert.Single(r.Endpoints).Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.PortValue);
        Assert.Equal("backend", Assert.Single(r.Routes).VirtualHosts[0].Routes[0].Route_.Cluster);
        Assert.Equal(4, r.LineOf(EnvoyTypes.Listener, "web"));
        Assert.Equal(9, r.LineOf(EnvoyTypes.Cluster, "backend"));
        Assert.Equal(15, r.LineOf(EnvoyTypes.ClusterLoadAssignment, "backend"));
        Assert.Equal(20, r.LineOf(EnvoyTypes.RouteConfiguration, "web_routes"));
    }

    [Fact]
    public void JsonError_HasTheJsonLine()
    {
        var ex = Assert.Throws<ConfigParseException>(() =>
            EnvoyConfigFile.Parse("xds.json", ResourcesJson.Replace("\"type\": \"EDS\"", "\"type\": \"EDSS\"")));

        Assert.Equal("resources[1].type", ex.FieldPath);
        Assert.Equal(13, ex.Line);
    }

    [Fact]
    public void JsonBootstrap()
    {
        var r = EnvoyConfigFile.Parse("envoy.json", """
            { "node": { "id": "a" },
              "static_resources": { "clusters": [ { "name": "c", "lb_policy": "MAGLEV" } ] } }
            """);

        Assert.Equal(global::Envoy.Config.Cluster.V3.Cluster.Types.LbPolicy.Maglev, Assert.Single(r.Clusters).LbPolicy);
    }

    [Fact]
    public void YamlScalars_FollowTheCoreSchema()
    {
        // A quoted number still fills a number field, 0x is hex, null leaves a field unset, and
        // a plain word that YAML 1.1 would call a boolean is a string.
        var r = EnvoyConfigFile.Parse("s.yaml", """
            static_resources:
              clusters:
              - name: on
                per_connection_buffer_limit_bytes: "16"
                alt_stat_name: ~
                connect_timeout: 1.5s
                load_assignment:
                  cluster_name: on
                  endpoints:
                  - lb_endpoints:
                    - endpoint: { address: { socket_address: { address: 10.0.0.1, port_value: 0x10 } } }
            """);

        var c = Assert.Single(r.Clusters);
        Assert.Equal("on", c.Name);
        Assert.Equal(16u, c.PerConnectionBufferLimitBytes);
        Assert.Equal("", c.AltStatName);
        Assert.Equal(500_000_000, c.ConnectTimeout.Nanos);
        Assert.Equal(16u, c.LoadAssignment.Endpoints[0].LbEndpoints[0].Endpoint.Address.SocketAddress.PortValue);
    }

    [Fact]
    public void MergeKeys_AreApplied()
    {
        var r = EnvoyConfigFile.Parse("m.yaml", """
            static_resources:
              clusters:
              - &defaults
                name: a
                type: STATIC
                connect_timeout: 2s
              - <<: *defaults
                name: b
            """);

        Assert.Equal(["a", "b"], r.Clusters.Select(c => c.Name));
        Assert.Equal(2, r.Clusters[1].ConnectTimeout.Seconds);
        Assert.Equal(7, r.LineOf(EnvoyTypes.Cluster, "b"));
    }

    [Fact]
    public void StructAndCamelCaseFields()
    {
        var r = EnvoyConfigFile.Parse("c.yaml", """
            staticResources:
              clusters:
              - name: a
                metadata:
                  filterMetadata:
                    istio: { version: 3, canary: true, labels: [a, "2"] }
            """);

        var fields = r.Clusters[0].Metadata.FilterMetadata["istio"].Fields;
        Assert.Equal(3, fields["version"].NumberValue);
        Assert.True(fields["canary"].BoolValue);
        Assert.Equal("2", fields["labels"].ListValue.Values[1].StringValue);
    }
}
