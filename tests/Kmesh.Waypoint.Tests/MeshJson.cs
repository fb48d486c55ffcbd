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
          "listeners": [ LISTENERS ],
          "clusters": [ CLUSTERS ]
        }}
        """;

    private const string ListenerTemplate = """
        {
          "name": "ADDRESS_{PORT}",
          "address": {"socket_address": {"address": "ADDRESS", "port_value": {PORT} } },
          "filter_chains": [{"filters": [{
            "name": "envoy.filters.network.http_connection_manager",
            "typed_config": {
              "@type": "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager",
              "stat_prefix": "http",
              "route_config": {"name": "local", "virtual_hosts": [ VIRTUAL_HOSTS ]},
              "http_filters": [{"name": "envoy.filters.http.router", "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"}}]
            }}]}]
        }
        """;

    private const string ClusterTemplate = """
        {"name": "NAME", "type": "STATIC", "lb_policy": "POLICY", "connect_timeout": "1s" EXTRA,
         "load_assignment": {"cluster_name": "NAME", "endpoints": [{"lb_endpoints": [ ENDPOINTS ]}]}}
        """;

    private const string EndpointTemplate = """
        {"endpoint": {"address": {"socket_address": {"address": "127.0.0.1", "port_value": PORT_VALUE}}}, "load_balancing_weight": WEIGHT}
        """;

    /// <summary>One wildcard HTTP listener (Istio's <c>0.0.0.0_PORT</c>) with these virtual hosts, and these clusters.</summary>
    public static string Mesh(string virtualHosts, params string[] clusters) => Resources([Listener("0.0.0.0", virtualHosts)], clusters);

    public static string Resources(string[] listeners, params string[] clusters) =>
        MeshTemplate.Replace("LISTENERS", string.Join(",", listeners)).Replace("CLUSTERS", string.Join(",", clusters));

    /// <summary>An HTTP listener on <paramref name="address"/>:{PORT} with an inline route configuration of these virtual hosts.</summary>
    public static string Listener(string address, string virtualHosts) =>
        ListenerTemplate.Replace("ADDRESS", address).Replace("VIRTUAL_HOSTS", virtualHosts);

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
