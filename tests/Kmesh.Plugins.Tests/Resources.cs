using System.Net;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;
using Kmesh.Envoy.Api;

namespace Kmesh.Plugins.Tests;

/// <summary>
/// Envoy v3 resources for the tests, written as Envoy's JSON (field names as in Envoy's YAML)
/// and parsed with the real protobuf types, so that a test reads like the config a user writes.
/// </summary>
internal static class Resources
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithTypeRegistry(EnvoyTypes.Registry));

    public static T Parse<T>(string json) where T : IMessage, new() => Parser.Parse<T>(json);

    public static Listener Listener(string json) => Parse<Listener>(json);

    public static Cluster Cluster(string json) => Parse<Cluster>(json);

    public static ClusterLoadAssignment LoadAssignment(string json) => Parse<ClusterLoadAssignment>(json);

    public static RouteConfiguration RouteConfiguration(string json) => Parse<RouteConfiguration>(json);

    /// <summary>A <c>socket_address</c> object.</summary>
    public static string SocketAddress(string address, int port, string protocol = "TCP") =>
        $$"""{ "socket_address": { "protocol": "{{protocol}}", "address": "{{address}}", "port_value": {{port}} } }""";

    /// <summary>A tcp_proxy network filter sending everything to one cluster.</summary>
    public static string TcpProxyFilter(string cluster) => $$"""
        {
          "name": "envoy.filters.network.tcp_proxy",
          "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
            "stat_prefix": "{{cluster}}",
            "cluster": "{{cluster}}"
          }
        }
        """;

    /// <summary>A tcp_proxy network filter splitting by weight (gray release).</summary>
    public static string WeightedTcpProxyFilter(params (string Name, uint Weight)[] clusters) => $$"""
        {
          "name": "envoy.filters.network.tcp_proxy",
          "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
            "stat_prefix": "split",
            "weighted_clusters": {
              "clusters": [ {{string.Join(", ", clusters.Select(c => $$"""{ "name": "{{c.Name}}", "weight": {{c.Weight}} }"""))}} ]
            }
          }
        }
        """;

    /// <summary>An HTTP connection manager network filter with the given route specifier (a JSON member).</summary>
    public static string HttpFilter(string routeSpecifier) => $$"""
        {
          "name": "envoy.filters.network.http_connection_manager",
          "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
            "stat_prefix": "http",
            {{routeSpecifier}},
            "http_filters": [ {
              "name": "envoy.filters.http.router",
              "typed_config": { "@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router" }
            } ]
          }
        }
        """;

    /// <summary>A listener on one address with one filter chain holding <paramref name="filter"/>.</summary>
    public static Listener ListenerWith(string name, string address, int port, string filter, string protocol = "TCP") => Listener($$"""
        {
          "name": "{{name}}",
          "address": {{SocketAddress(address, port, protocol)}},
          "filter_chains": [ { "filters": [ {{filter}} ] } ]
        }
        """);

    /// <summary>The usual service listener: VIP:port, tcp_proxy to one cluster.</summary>
    public static Listener TcpProxyListener(string name, string address, int port, string cluster) =>
        ListenerWith(name, address, port, TcpProxyFilter(cluster));

    /// <summary>A cluster with an lb_policy (Envoy enum name) and no endpoints of its own.</summary>
    public static Cluster EdsCluster(string name, string lbPolicy = "ROUND_ROBIN") => Cluster($$"""
        {
          "name": "{{name}}",
          "type": "EDS",
          "eds_cluster_config": { "eds_config": { "ads": {} } },
          "lb_policy": "{{lbPolicy}}"
        }
        """);

    /// <summary>A STATIC cluster whose load_assignment holds <paramref name="endpoints"/> ("ip:port") in priority 0.</summary>
    public static Cluster StaticCluster(string name, string lbPolicy, params string[] endpoints) => Cluster($$"""
        {
          "name": "{{name}}",
          "type": "STATIC",
          "lb_policy": "{{lbPolicy}}",
          "load_assignment": {
            "cluster_name": "{{name}}",
            "endpoints": [ { "lb_endpoints": [ {{string.Join(", ", endpoints.Select(e => LbEndpoint(e)))}} ] } ]
          }
        }
        """);

    /// <summary>An <c>lb_endpoints</c> element for "ip:port", optionally with a weight and a health status.</summary>
    public static string LbEndpoint(string endpoint, uint? weight = null, string? health = null)
    {
        var ep = IPEndPoint.Parse(endpoint);
        var extra = (weight is null ? "" : $$""", "load_balancing_weight": {{weight}}""")
            + (health is null ? "" : $$""", "health_status": "{{health}}" """);
        return $$"""{ "endpoint": { "address": {{SocketAddress(ep.Address.ToString(), ep.Port)}} }{{extra}} }""";
    }
}
