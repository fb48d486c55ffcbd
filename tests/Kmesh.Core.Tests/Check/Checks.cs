using Kmesh.Core.Check;
using Kmesh.Plugins.CircuitBreaker;
using Kmesh.Plugins.FaultInject;
using Kmesh.Plugins.LoadBalance;
using Kmesh.Plugins.RateLimit;
using Kmesh.Plugins.Routing;

namespace Kmesh.Core.Tests.Check;

/// <summary>Runs the check with Kmesh's own translating plugins, in their manifest order, as <c>kmesh config check</c> does by default.</summary>
internal static class Checks
{
    public static IReadOnlyList<CheckPlugin> OurChain { get; } =
    [
        new("routing", "test", new RoutingTranslator()),
        new("ratelimit", "test", new RateLimitTranslator()),
        new("circuitbreaker", "test", new CircuitBreakerTranslator()),
        new("faultinject", "test", new FaultInjectTranslator()),
        new("loadbalance", "test", new LoadBalanceTranslator()),
    ];

    public static FileResult Checked(string yaml, string path = "mesh.yaml") => new ConfigCheck(OurChain).CheckText(path, yaml);

    /// <summary>The result for a resource, by the name findings use (fails naming what there is).</summary>
    public static ResourceResult Resource(this FileResult file, string resource)
    {
        var found = file.Resources.Where(r => r.Resource == resource).ToList();
        Assert.True(found.Count == 1,
            $"expected one '{resource}' in {file.Path}; there are: {string.Join(" | ", file.Resources.Select(r => $"{r.Resource} [{r.Outcome}]"))}");
        return found[0];
    }

    public static string Describe(this ResourceResult r) =>
        $"{r.Resource} [{r.Outcome}] {r.Reason} | facts: {string.Join("; ", r.Applied.Select(f => f.Detail))} | findings: {string.Join("; ", r.Findings.Select(f => $"{f.Severity} {f.Text}"))}";

    public static void AssertOutcome(this ResourceResult r, ResourceOutcome outcome) =>
        Assert.True(r.Outcome == outcome, $"expected {outcome}: {r.Describe()}");

    public static string Cluster(string name, params string[] endpoints) => $$"""
        - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
          name: {{name}}
          type: STATIC
          load_assignment:
            cluster_name: {{name}}
            endpoints:
            - lb_endpoints:
        {{string.Join("\n", endpoints.Select(e => $"      - endpoint: {{ address: {{ socket_address: {{ address: {e.Split(':')[0]}, port_value: {e.Split(':')[1]} }} }} }}"))}}
        """;

    public static string TcpListener(string name, string vip, int port, string filters) => $$"""
        - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
          name: {{name}}
          address: { socket_address: { address: {{vip}}, port_value: {{port}} } }
          filter_chains:
          - filters:
        {{filters}}
        """;

    public static string TcpProxy(string cluster) => $$"""
            - name: envoy.filters.network.tcp_proxy
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                stat_prefix: {{cluster}}
                cluster: {{cluster}}
        """;

    /// <summary>An HTTP connection manager with the given http_filters (YAML list items at this indentation) before the router, routing everything to <paramref name="cluster"/>.</summary>
    public static string Http(string cluster, string httpFilters = "") => $$"""
            - name: envoy.filters.network.http_connection_manager
              typed_config:
                "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                stat_prefix: http
                route_config:
                  virtual_hosts:
                  - name: all
                    domains: ["*"]
                    routes:
                    - match: { prefix: "/" }
                      route: { cluster: {{cluster}} }
                http_filters:
        {{httpFilters}}
                - name: envoy.filters.http.router
                  typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
        """;
}
