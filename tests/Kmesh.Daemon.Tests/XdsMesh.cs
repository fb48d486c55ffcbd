using System.Text;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// A mesh as a control plane sends it: a <c>resources:</c> list of listeners, EDS clusters and
/// their ClusterLoadAssignments, and an HTTP listener whose routes come over RDS. Reuses
/// <see cref="TestMesh"/>'s VIPs and backends.
/// </summary>
internal static class XdsMesh
{
    public const string WebVip = "127.20.0.17";

    /// <summary>The mesh.</summary>
    /// <param name="reviews">Reviews endpoints; "ADDRESS UNHEALTHY" marks one unhealthy.</param>
    /// <param name="ratingsV1">Weight of ratings-v1 (ratings-v2 gets 100 minus it).</param>
    /// <param name="reviewsAddress">The reviews listener's address (a bad one makes a resource the translator refuses).</param>
    public static string Config(string[]? reviews = null, int ratingsV1 = 90, string reviewsAddress = TestMesh.ReviewsVip)
    {
        reviews ??= ["127.0.1.1", "127.0.1.2", "127.0.1.3"];
        var yaml = new StringBuilder("resources:\n");
        TcpListener(yaml, "reviews", reviewsAddress, "cluster: reviews");
        TcpListener(yaml, "ratings", TestMesh.RatingsVip,
            $"weighted_clusters: {{ clusters: [ {{ name: ratings-v1, weight: {ratingsV1} }}, {{ name: ratings-v2, weight: {100 - ratingsV1} }} ] }}");
        TcpListener(yaml, "productpage", TestMesh.ProductVip, "cluster: productpage");
        HttpListener(yaml, "web", WebVip, "web-routes");
        yaml.Append("""
            - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
              name: web-routes
              virtual_hosts:
              - name: web
                domains: ["*"]
                routes:
                - match: { prefix: "/" }
                  route: { cluster: random }

            """);
        foreach (var (name, policy) in new[] { ("reviews", "ROUND_ROBIN"), ("ratings-v1", "ROUND_ROBIN"), ("ratings-v2", "ROUND_ROBIN"), ("productpage", "ROUND_ROBIN"), ("random", "RANDOM") })
            EdsCluster(yaml, name, policy);
        Assignment(yaml, "reviews", reviews.Select(r => r.Split(' ')).Select(p => (p[0], 1, p.Length > 1 ? p[1] : null)).ToArray());
        Assignment(yaml, "ratings-v1", ("127.0.2.1", 1, null));
        Assignment(yaml, "ratings-v2", ("127.0.2.10", 1, null));
        Assignment(yaml, "productpage", ("127.0.3.1", 3, null), ("127.0.3.2", 1, null));
        Assignment(yaml, "random", ("127.0.4.1", 1, null), ("127.0.4.2", 1, null), ("127.0.4.3", 1, null));
        return yaml.ToString();
    }

    private static void TcpListener(StringBuilder yaml, string name, string vip, string target) => yaml.Append($$"""
        - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
          name: {{name}}
          address: { socket_address: { address: "{{vip}}", port_value: {{TestMesh.Port}} } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.tcp_proxy
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                stat_prefix: {{name}}
                {{target}}

        """);

    private static void HttpListener(StringBuilder yaml, string name, string vip, string routes) => yaml.Append($$"""
        - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
          name: {{name}}
          address: { socket_address: { address: "{{vip}}", port_value: {{TestMesh.Port}} } }
          filter_chains:
          - filters:
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: {{name}}
                rds: { route_config_name: {{routes}}, config_source: { ads: {} } }
                http_filters:
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }

        """);

    private static void EdsCluster(StringBuilder yaml, string name, string policy) => yaml.Append($$"""
        - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
          name: {{name}}
          type: EDS
          eds_cluster_config: { eds_config: { ads: {} } }
          lb_policy: {{policy}}

        """);

    private static void Assignment(StringBuilder yaml, string cluster, params (string Address, int Weight, string? Health)[] endpoints)
    {
        yaml.Append($$"""
            - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
              cluster_name: {{cluster}}
              endpoints:
              - lb_endpoints:

            """);
        foreach (var (address, weight, health) in endpoints)
        {
            yaml.Append($"    - endpoint: {{ address: {{ socket_address: {{ address: \"{address}\", port_value: {TestMesh.Port} }} }} }}\n");
            yaml.Append($"      load_balancing_weight: {weight}\n");
            if (health is not null)
                yaml.Append($"      health_status: {health}\n");
        }
    }
}
