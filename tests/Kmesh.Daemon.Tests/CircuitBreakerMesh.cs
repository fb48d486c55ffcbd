using System.Text;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// Services for the circuit-breaker tests: VIPs in 127.20.2.0/24, backends in 127.0.6.0/24.
/// <list type="bullet">
/// <item><b>capped</b>: one cluster of two echo backends with a connection limit.</item>
/// <item><b>stalled</b>: one endpoint that never accepts, so connects to it stay in handshake.</item>
/// <item><b>flaky</b>: a healthy endpoint and one whose port refuses (nothing listens), with outlier detection.</item>
/// <item><b>spread</b>: one healthy endpoint and two refusing ones, with outlier detection.</item>
/// </list>
/// </summary>
internal static class CircuitBreakerMesh
{
    public const int Port = TestMesh.Port;
    public const string CappedVip = "127.20.2.10";
    public const string StalledVip = "127.20.2.11";
    public const string FlakyVip = "127.20.2.12";
    public const string SpreadVip = "127.20.2.13";

    /// <summary>Nothing listens on these: a connect to them is refused (RST) at once.</summary>
    public const string FlakyRefusing = "127.0.6.11";
    public static readonly string[] SpreadRefusing = ["127.0.6.21", "127.0.6.22"];

    public static readonly BackendSpec Stalled = new("stalled", "127.0.6.30", Port);

    public static readonly BackendSpec[] Backends =
    [
        new("capped-a", "127.0.6.1", Port), new("capped-b", "127.0.6.2", Port),
        new("flaky-good", "127.0.6.10", Port), new("spread-good", "127.0.6.20", Port),
    ];

    /// <summary>The YAML of a cluster's circuit_breakers (DEFAULT priority).</summary>
    public static string Breaker(uint maxConnections, uint maxPending = 1024) =>
        $"circuit_breakers: {{ thresholds: [ {{ max_connections: {maxConnections}, max_pending_requests: {maxPending} }} ] }}";

    /// <summary>The config; each cluster's extra YAML (circuit_breakers, outlier_detection) as given.</summary>
    public static string Config(
        string capped = "",
        string stalled = "",
        string flaky = "outlier_detection: { split_external_local_origin_errors: true, consecutive_local_origin_failure: 3, base_ejection_time: 1s, max_ejection_percent: 50 }",
        string spread = "outlier_detection: { consecutive_5xx: 2, base_ejection_time: 30s, max_ejection_percent: 34 }")
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("static_resources:");
        yaml.AppendLine("  listeners:");
        Listener(yaml, "capped", CappedVip);
        Listener(yaml, "stalled", StalledVip);
        Listener(yaml, "flaky", FlakyVip);
        Listener(yaml, "spread", SpreadVip);
        yaml.AppendLine("  clusters:");
        Cluster(yaml, "capped", capped, "127.0.6.1", "127.0.6.2");
        Cluster(yaml, "stalled", stalled, Stalled.Address);
        Cluster(yaml, "flaky", flaky, "127.0.6.10", FlakyRefusing);
        Cluster(yaml, "spread", spread, ["127.0.6.20", .. SpreadRefusing]);
        return yaml.ToString();
    }

    private static void Listener(StringBuilder yaml, string name, string vip)
    {
        yaml.AppendLine($"  - name: {name}");
        yaml.AppendLine($"    address: {{ socket_address: {{ address: \"{vip}\", port_value: {Port} }} }}");
        yaml.AppendLine("    filter_chains:");
        yaml.AppendLine("    - filters:");
        yaml.AppendLine("      - name: envoy.filters.network.tcp_proxy");
        yaml.AppendLine("        typed_config:");
        yaml.AppendLine("          \"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy");
        yaml.AppendLine($"          stat_prefix: {name}");
        yaml.AppendLine($"          cluster: {name}");
    }

    private static void Cluster(StringBuilder yaml, string name, string extra, params string[] endpoints)
    {
        yaml.AppendLine($"  - name: {name}");
        yaml.AppendLine("    type: STATIC");
        yaml.AppendLine("    lb_policy: ROUND_ROBIN");
        if (extra.Length > 0)
            yaml.AppendLine($"    {extra}");
        yaml.AppendLine("    load_assignment:");
        yaml.AppendLine($"      cluster_name: {name}");
        yaml.AppendLine("      endpoints:");
        yaml.AppendLine("      - lb_endpoints:");
        foreach (var endpoint in endpoints)
            yaml.AppendLine($"        - endpoint: {{ address: {{ socket_address: {{ address: \"{endpoint}\", port_value: {Port} }} }} }}");
    }

    /// <summary>Starts the daemon on this mesh with its backends (and the stalled listener).</summary>
    public static async Task<MeshRun> StartAsync(string config, IEnumerable<string>? extraArguments = null)
    {
        var run = await MeshRun.StartAsync(config, extraArguments, extraBackends: Backends);
        try
        {
            await run.Sandbox.StartStalledListenerAsync(Stalled);
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }
}
