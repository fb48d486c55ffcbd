using System.Text;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// Services with connect-time governance for the fault-injection, rate-limit and chain tests: an
/// HTTP service with an HTTPFault abort, a TCP service with a network local_ratelimit, one whose
/// cluster has a circuit breaker, and a plain one next to them. VIPs in 127.20.1.0/24, backends
/// in 127.0.5.0/24.
/// </summary>
internal static class GovernanceMesh
{
    public const int Port = TestMesh.Port;
    public const string FaultyVip = "127.20.1.10";
    public const string LimitedVip = "127.20.1.11";
    public const string PlainVip = "127.20.1.12";
    public const string CappedVip = "127.20.1.13";

    public static readonly BackendSpec[] Backends =
    [
        new("faulty-a", "127.0.5.1", Port), new("limited-a", "127.0.5.2", Port), new("plain-a", "127.0.5.3", Port),
        new("capped-a", "127.0.5.4", Port),
    ];

    /// <summary>
    /// The config: abort <paramref name="abortPercent"/>% of connects to the faulty service; the limited
    /// one's bucket; at most <paramref name="maxConnections"/> connections to the capped one's cluster.
    /// </summary>
    /// <param name="reversed">Lists the listeners and the clusters in reverse order (the same mesh, as another control plane may send it).</param>
    public static string Config(uint abortPercent = 30, uint maxTokens = 10, uint tokensPerFill = 5, string fillInterval = "1s", string plainEndpoint = "127.0.5.3", uint maxConnections = 3, bool reversed = false)
    {
        var listeners = new List<Action<StringBuilder>>
        {
            y => Http(y, "faulty", FaultyVip, "faulty", abortPercent),
            y => Limited(y, maxTokens, tokensPerFill, fillInterval),
            y =>
            {
                Listener(y, "plain", PlainVip);
                TcpProxy(y, "plain", "plain");
            },
            y =>
            {
                Listener(y, "capped", CappedVip);
                TcpProxy(y, "capped", "capped");
            },
        };
        var clusters = new List<Action<StringBuilder>>
        {
            y => Cluster(y, "faulty", "127.0.5.1"),
            y => Cluster(y, "limited", "127.0.5.2"),
            y => Cluster(y, "plain", plainEndpoint),
            y => Cluster(y, "capped", "127.0.5.4", $"circuit_breakers: {{ thresholds: [ {{ max_connections: {maxConnections} }} ] }}"),
        };
        if (reversed)
        {
            listeners.Reverse();
            clusters.Reverse();
        }
        var yaml = new StringBuilder();
        yaml.AppendLine("static_resources:");
        yaml.AppendLine("  listeners:");
        foreach (var listener in listeners)
            listener(yaml);
        yaml.AppendLine("  clusters:");
        foreach (var cluster in clusters)
            cluster(yaml);
        return yaml.ToString();
    }

    private static void Listener(StringBuilder yaml, string name, string vip)
    {
        yaml.AppendLine($"  - name: {name}");
        yaml.AppendLine($"    address: {{ socket_address: {{ address: \"{vip}\", port_value: {Port} }} }}");
        yaml.AppendLine("    filter_chains:");
        yaml.AppendLine("    - filters:");
    }

    private static void TcpProxy(StringBuilder yaml, string name, string cluster)
    {
        yaml.AppendLine("      - name: envoy.filters.network.tcp_proxy");
        yaml.AppendLine("        typed_config:");
        yaml.AppendLine("          \"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy");
        yaml.AppendLine($"          stat_prefix: {name}");
        yaml.AppendLine($"          cluster: {cluster}");
    }

    private static void Limited(StringBuilder yaml, uint maxTokens, uint tokensPerFill, string fillInterval)
    {
        Listener(yaml, "limited", LimitedVip);
        yaml.AppendLine("      - name: envoy.filters.network.local_ratelimit");
        yaml.AppendLine("        typed_config:");
        yaml.AppendLine("          \"@type\": type.googleapis.com/envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit");
        yaml.AppendLine("          stat_prefix: limited");
        yaml.AppendLine($"          token_bucket: {{ max_tokens: {maxTokens}, tokens_per_fill: {tokensPerFill}, fill_interval: {fillInterval} }}");
        TcpProxy(yaml, "limited", "limited");
    }

    private static void Http(StringBuilder yaml, string name, string vip, string cluster, uint abortPercent)
    {
        Listener(yaml, name, vip);
        yaml.AppendLine("      - name: envoy.filters.network.http_connection_manager");
        yaml.AppendLine("        typed_config:");
        yaml.AppendLine("          \"@type\": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager");
        yaml.AppendLine($"          stat_prefix: {name}");
        yaml.AppendLine("          http_filters:");
        yaml.AppendLine("          - name: envoy.filters.http.fault");
        yaml.AppendLine("            typed_config:");
        yaml.AppendLine("              \"@type\": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault");
        yaml.AppendLine($"              abort: {{ http_status: 503, percentage: {{ numerator: {abortPercent}, denominator: HUNDRED }} }}");
        yaml.AppendLine("          - name: envoy.filters.http.router");
        yaml.AppendLine("            typed_config: { \"@type\": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }");
        yaml.AppendLine("          route_config:");
        yaml.AppendLine("            virtual_hosts:");
        yaml.AppendLine("            - { name: all, domains: [\"*\"], routes: [ { match: { prefix: \"/\" }, route: { cluster: " + cluster + " } } ] }");
    }

    private static void Cluster(StringBuilder yaml, string name, string endpoint, string extra = "")
    {
        yaml.AppendLine($"  - name: {name}");
        yaml.AppendLine("    type: STATIC");
        if (extra.Length > 0)
            yaml.AppendLine($"    {extra}");
        yaml.AppendLine("    load_assignment:");
        yaml.AppendLine($"      cluster_name: {name}");
        yaml.AppendLine("      endpoints:");
        yaml.AppendLine("      - lb_endpoints:");
        yaml.AppendLine($"        - endpoint: {{ address: {{ socket_address: {{ address: \"{endpoint}\", port_value: {Port} }} }} }}");
    }

    /// <summary>Starts the daemon on this mesh with its backends.</summary>
    public static Task<MeshRun> StartAsync(string? config = null, IEnumerable<string>? extraArguments = null) =>
        MeshRun.StartAsync(config ?? Config(), extraArguments, extraBackends: Backends);

    /// <summary>Stops the daemon and returns its stop line ("Connect decisions: Routed=3, Fault=2").</summary>
    public static async Task<string> StopAsync(MeshRun run)
    {
        Assert.Equal(0, await run.Daemon.StopAsync());
        return await run.Daemon.WaitForLineAsync("Connect decisions:", TimeSpan.FromSeconds(5));
    }

    /// <summary>The count of a reason (a KmReason name) in a stop line; 0 when absent.</summary>
    public static ulong Count(string stopLine, string reason)
    {
        var match = System.Text.RegularExpressions.Regex.Match(stopLine, $@"\b{reason}=(\d+)");
        return match.Success ? ulong.Parse(match.Groups[1].Value) : 0;
    }
}
