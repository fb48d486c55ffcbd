using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// The mesh the end-to-end tests run: services on VIPs in 127.20.0.0/16 and fd00:20::/64
/// (nothing listens there in the sandbox, so an unrewritten connect fails) and named echo
/// backends behind them.
/// </summary>
internal static class TestMesh
{
    public const int Port = 9080;
    public const string ReviewsVip = "127.20.0.10";
    public const string RatingsVip = "127.20.0.11";
    public const string DetailsVip = "fd00:20::12";
    public const string ProductVip = "127.20.0.13";
    public const string RandomVip = "127.20.0.14";
    public const string EmptyVip = "127.20.0.15";
    public const string L7Vip = "127.20.0.16";

    /// <summary>Not a service: reached directly.</summary>
    public static readonly BackendSpec Direct = new("direct", "127.0.9.9", 7000);

    public static readonly BackendSpec[] Backends =
    [
        new("reviews-a", "127.0.1.1", Port), new("reviews-b", "127.0.1.2", Port), new("reviews-c", "127.0.1.3", Port),
        new("reviews-d", "127.0.1.4", Port),
        new("ratings-v1", "127.0.2.1", Port), new("ratings-v2", "127.0.2.10", Port),
        new("details-a", "fd00:21::1", Port), new("details-b", "fd00:21::2", Port),
        new("product-big", "127.0.3.1", Port), new("product-small", "127.0.3.2", Port),
        new("random-a", "127.0.4.1", Port), new("random-b", "127.0.4.2", Port), new("random-c", "127.0.4.3", Port),
        Direct,
    ];

    /// <summary>IPv6 addresses the sandbox must have on lo for the IPv6 backends.</summary>
    public static readonly string[] SandboxAddresses = ["fd00:21::1", "fd00:21::2"];

    /// <summary>The config; <paramref name="reviews"/> lists the reviews endpoints (to test live edits).</summary>
    public static string Config(params string[] reviews) => Config(reviewsService: true, reviews);

    /// <summary>The config, with or without the whole reviews service (listener and cluster).</summary>
    public static string Config(bool reviewsService, params string[] reviews)
    {
        if (reviews.Length == 0)
            reviews = ["127.0.1.1", "127.0.1.2", "127.0.1.3"];
        var yaml = new System.Text.StringBuilder();
        yaml.AppendLine("static_resources:");
        yaml.AppendLine("  listeners:");
        if (reviewsService)
            TcpProxy(yaml, "reviews", ReviewsVip, "cluster: reviews");
        TcpProxy(yaml, "ratings", RatingsVip, "weighted_clusters: { clusters: [ { name: ratings-v1, weight: 90 }, { name: ratings-v2, weight: 10 } ] }");
        TcpProxy(yaml, "details", DetailsVip, "cluster: details");
        TcpProxy(yaml, "productpage", ProductVip, "cluster: productpage");
        TcpProxy(yaml, "random", RandomVip, "cluster: random");
        TcpProxy(yaml, "empty", EmptyVip, "cluster: empty");
        // HTTP routes to two clusters: only L7 can choose, so the daemon must warn and skip it.
        yaml.AppendLine($"  - name: l7-only");
        yaml.AppendLine($"    address: {{ socket_address: {{ address: \"{L7Vip}\", port_value: {Port} }} }}");
        yaml.AppendLine("    filter_chains:");
        yaml.AppendLine("    - filters:");
        yaml.AppendLine("      - name: envoy.filters.network.http_connection_manager");
        yaml.AppendLine("        typed_config:");
        yaml.AppendLine("          \"@type\": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager");
        yaml.AppendLine("          stat_prefix: l7");
        yaml.AppendLine("          route_config:");
        yaml.AppendLine("            virtual_hosts:");
        yaml.AppendLine("            - name: all");
        yaml.AppendLine("              domains: [\"*\"]");
        yaml.AppendLine("              routes:");
        yaml.AppendLine("              - { match: { prefix: \"/a\" }, route: { cluster: reviews } }");
        yaml.AppendLine("              - { match: { prefix: \"/\" }, route: { cluster: random } }");
        yaml.AppendLine("  clusters:");
        if (reviewsService)
            Cluster(yaml, "reviews", "ROUND_ROBIN", reviews.Select(a => (a, 1)).ToArray());
        Cluster(yaml, "ratings-v1", "ROUND_ROBIN", ("127.0.2.1", 1));
        Cluster(yaml, "ratings-v2", "ROUND_ROBIN", ("127.0.2.10", 1));
        Cluster(yaml, "details", "RANDOM", ("fd00:21::1", 1), ("fd00:21::2", 1));
        Cluster(yaml, "productpage", "ROUND_ROBIN", ("127.0.3.1", 3), ("127.0.3.2", 1));
        Cluster(yaml, "random", "RANDOM", ("127.0.4.1", 1), ("127.0.4.2", 1), ("127.0.4.3", 1));
        Cluster(yaml, "empty", "ROUND_ROBIN");
        return yaml.ToString();
    }

    public const string DnsVip = "127.20.0.20";
    public const int DnsPort = 9555;

    /// <summary>A service whose STRICT_DNS cluster names "localhost": the daemon resolves it.</summary>
    public static string DnsConfig(string host = "localhost")
    {
        var yaml = new System.Text.StringBuilder();
        yaml.AppendLine("static_resources:");
        yaml.AppendLine("  listeners:");
        TcpProxy(yaml, "web", DnsVip, "cluster: web");
        yaml.AppendLine("  clusters:");
        yaml.AppendLine("  - name: web");
        yaml.AppendLine("    type: STRICT_DNS");
        yaml.AppendLine("    dns_lookup_family: V4_ONLY");
        yaml.AppendLine("    dns_refresh_rate: 1s");
        yaml.AppendLine("    load_assignment:");
        yaml.AppendLine("      cluster_name: web");
        yaml.AppendLine("      endpoints:");
        yaml.AppendLine("      - lb_endpoints:");
        yaml.AppendLine($"        - endpoint: {{ address: {{ socket_address: {{ address: {host}, port_value: {DnsPort} }} }} }}");
        return yaml.ToString();
    }

    private static void TcpProxy(System.Text.StringBuilder yaml, string name, string vip, string target)
    {
        yaml.AppendLine($"  - name: {name}");
        yaml.AppendLine($"    address: {{ socket_address: {{ address: \"{vip}\", port_value: {Port} }} }}");
        yaml.AppendLine("    filter_chains:");
        yaml.AppendLine("    - filters:");
        yaml.AppendLine("      - name: envoy.filters.network.tcp_proxy");
        yaml.AppendLine("        typed_config:");
        yaml.AppendLine("          \"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy");
        yaml.AppendLine($"          stat_prefix: {name}");
        yaml.AppendLine($"          {target}");
    }

    private static void Cluster(System.Text.StringBuilder yaml, string name, string policy, params (string Address, int Weight)[] endpoints)
    {
        yaml.AppendLine($"  - name: {name}");
        yaml.AppendLine("    type: STATIC");
        yaml.AppendLine($"    lb_policy: {policy}");
        yaml.AppendLine("    load_assignment:");
        yaml.AppendLine($"      cluster_name: {name}");
        if (endpoints.Length == 0)
            return;
        yaml.AppendLine("      endpoints:");
        yaml.AppendLine("      - lb_endpoints:");
        foreach (var (address, weight) in endpoints)
        {
            yaml.AppendLine($"        - endpoint: {{ address: {{ socket_address: {{ address: \"{address}\", port_value: {Port} }} }} }}");
            yaml.AppendLine($"          load_balancing_weight: {weight}");
        }
    }
}
