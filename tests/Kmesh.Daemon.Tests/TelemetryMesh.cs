namespace Kmesh.Daemon.Tests;

/// <summary>
/// The governance mesh (GovernanceMesh) tuned so that every refusal is certain: a 100% fault
/// abort, a bucket of two tokens that never refills, a breaker at one connection, and a
/// service whose only endpoint is unhealthy (no endpoint).
/// </summary>
internal static class TelemetryMesh
{
    public const int Port = GovernanceMesh.Port;
    public const string DeadVip = "127.20.1.14";
    public const uint Tokens = 2;

    /// <summary>A second service (listener) whose only cluster is plain's: two services, one cluster.</summary>
    public const string PlainAliasVip = "127.20.1.20";

    /// <summary>The mesh of <see cref="Config"/> plus the listener "plain-alias" at <see cref="PlainAliasVip"/>, routed to the cluster "plain".</summary>
    public static string ConfigWithPlainAlias()
    {
        var alias = $$"""
              - name: plain-alias
                address: { socket_address: { address: "{{PlainAliasVip}}", port_value: {{Port}} } }
                filter_chains:
                - filters:
                  - name: envoy.filters.network.tcp_proxy
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: plain-alias
                      cluster: plain

            """;
        return Config().Replace("  clusters:\n", alias + "  clusters:\n", StringComparison.Ordinal);
    }

    public static string Config()
    {
        var yaml = GovernanceMesh.Config(abortPercent: 100, maxTokens: Tokens, tokensPerFill: 1, fillInterval: "3600s", maxConnections: 1);
        var dead = $$"""
              - name: dead
                address: { socket_address: { address: "{{DeadVip}}", port_value: {{Port}} } }
                filter_chains:
                - filters:
                  - name: envoy.filters.network.tcp_proxy
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                      stat_prefix: dead
                      cluster: dead

            """;
        var deadCluster = $$"""
              - name: dead
                type: STATIC
                load_assignment:
                  cluster_name: dead
                  endpoints:
                  - lb_endpoints:
                    - endpoint: { address: { socket_address: { address: "127.0.5.9", port_value: {{Port}} } } }
                      health_status: UNHEALTHY

            """;
        return yaml.Replace("  clusters:\n", dead + "  clusters:\n", StringComparison.Ordinal) + deadCluster;
    }
}
