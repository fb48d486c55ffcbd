namespace Kmesh.Waypoint.Tests;

/// <summary>
/// Envoy static_resources as JSON (which the YAML reader reads too): one HTTP listener on
/// <c>{PORT}</c> whose inline route configuration holds the given virtual hosts, and clusters of
/// loopback endpoints. Templates with named holes, since JSON's braces fight C# interpolation.
/// </summary>
internal static class MeshJson
{
    private const string MeshTemplate = """
        {"static_resources": {
          "listeners": [{
            "name": "0.0.0.0_{PORT}",
            "address": {"socket_address": {"address": "0.0.0.0", "port_value": {PORT} } },
            "filter_chains": [{"filters": [{
              "name": "envoy.filters.network.http_connection_manager",
              "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
                "stat_prefix": "http",
                "route_config": {"name": "local", "virtual_hosts": [ VIRTUAL_HOSTS ]},
                "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}]
              }}]}]
          }],
          "clusters": [ CLUSTERS ]
        }}
        """;

    private const string ClusterTemplate = """
        {"name": "NAME", "type": "STATIC", "lb_policy": "POLICY", "connect_timeout": "1s" EXTRA,
         "load_assignment": {"cluster_name": "NAME", "endpoints": [{"lb_endpoints": [ ENDPOINTS ]}]}}
        """;

    private const string EndpointTemplate = """
        {"endpoint": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": PORT_VALUE}}}, "load_balancing_weight": WEIGHT}
        """;

    public static string Mesh(string virtualHosts, params string[] clusters) =>
        MeshTemplate.Replace("VIRTUAL_HOSTS", virtualHosts).Replace("CLUSTERS", string.Join(",", clusters));

    /// <summary>A virtual host named <paramref name="name"/> for <paramref name="domains"/> with these routes (JSON objects).</summary>
    public static string VirtualHost(string name, string[] domains, params string[] routes) =>
        "{\"name\": \"" + name + "\", \"domains\": [" + string.Join(",", domains.Select(d => $"\"{d}\"")) + "], \"routes\": [" + string.Join(",", routes) + "]}";

    /// <summary>A STATIC cluster over loopback endpoints with these weights; <paramref name="extra"/> adds fields.</summary>
    public static string Cluster(string name, IEnumerable<(int Port, int Weight)> endpoints, string lbPolicy = "ROUND_ROBIN", string extra = "")
    {
        var lbEndpoints = string.Join(",", endpoints.Select(e =>
            EndpointTemplate.Replace("PORT_VALUE", e.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).Replace("WEIGHT", e.Weight.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        return ClusterTemplate.Replace("NAME", name).Replace("POLICY", lbPolicy).Replace("EXTRA", extra.Length > 0 ? "," + extra : "").Replace("ENDPOINTS", lbEndpoints);
    }

    public static string Cluster(string name, params Backend[] backends) => Cluster(name, backends.Select(b => (b.Port, 1)));
}
