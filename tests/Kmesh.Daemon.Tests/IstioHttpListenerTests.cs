using System.Text;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// Istio's outbound HTTP services, served over ADS as Istiod sends them: a <c>0.0.0.0_9080</c>
/// listener (not bound, protocol-sniffing HTTP chain, passthrough default chain) whose routes
/// come over RDS as route configuration <c>9080</c>, one virtual host per service with the VIP
/// among its domains. Connects to a VIP reach the cluster of its virtual host's catch-all route.
/// </summary>
public sealed class IstioHttpListenerTests
{
    [KernelTheory]
    [InlineData("sotw")]
    [InlineData("delta")]
    public async Task IstioHttpListener_VipDomainsRouteToTheCatchAll_HeaderRouteReportedAsNeedsL7(string mode)
    {
        await using var run = await XdsRun.StartAsync(IstioHttpMesh.Config(), mode);

        var reviews = await run.Client.DialAsync(IstioHttpMesh.ReviewsVip, TestMesh.Port, 30);
        var ratings = await run.Client.DialAsync(IstioHttpMesh.RatingsVip, TestMesh.Port, 1000);
        var warning = await run.Daemon.WaitForLineAsync(@"listener 0\.0\.0\.0_9080: .*virtual_hosts\[0\]\.routes\[0\]: needs L7", TimeSpan.FromSeconds(10));

        // Round robin over the catch-all's three endpoints; the header route's reviews-d never.
        Assert.True(reviews.Count("reviews-a") == 10 && reviews.Count("reviews-b") == 10 && reviews.Count("reviews-c") == 10,
            $"{reviews}\n{run.Daemon.Log}");
        // weighted_clusters 80/20: ratings-v2 has mean 200 of 1000, sd ~12.6; ±4.7 sigma.
        Assert.Equal(1000, ratings.Succeeded);
        Assert.InRange(ratings.Count("ratings-v2"), 140, 260);
        Assert.Contains("reviews.default.svc.cluster.local:9080", warning);
        Assert.Contains("end-user", warning);
        Assert.Contains("outbound|9080|v2|reviews.default.svc.cluster.local", warning);
        Assert.Empty(run.Server.Events.Nacks);
    }

    [KernelFact]
    public async Task IstioFaultOnOneVirtualHost_RefusesThatServiceOnly()
    {
        // As Istio writes a VirtualService's fault: an empty fault filter in the chain, the abort
        // on the ratings host's route. The listener is shared; the fault must not be.
        await using var run = await XdsRun.StartAsync(IstioHttpMesh.Config(ratingsAbortPercent: 100), "sotw");

        var ratings = await run.Client.DialAsync(IstioHttpMesh.RatingsVip, TestMesh.Port, 20);
        var reviews = await run.Client.DialAsync(IstioHttpMesh.ReviewsVip, TestMesh.Port, 20);

        Assert.True(ratings.ErrorCount("ECONNREFUSED") == 20, $"{ratings}\n{run.Daemon.Log}");
        Assert.Equal(20, reviews.Succeeded);
        Assert.Empty(run.Server.Events.Nacks);
    }
}

/// <summary>The Istio-shaped LDS/RDS/CDS/EDS set of <see cref="IstioHttpListenerTests"/>, on the test mesh's backends.</summary>
internal static class IstioHttpMesh
{
    public const string ReviewsVip = "127.20.1.15";
    public const string RatingsVip = "127.20.1.16";
    private const string Reviews = "outbound|9080||reviews.default.svc.cluster.local";
    private const string ReviewsV2 = "outbound|9080|v2|reviews.default.svc.cluster.local";
    private const string RatingsV1 = "outbound|9080|v1|ratings.default.svc.cluster.local";
    private const string RatingsV2 = "outbound|9080|v2|ratings.default.svc.cluster.local";

    /// <param name="ratingsAbortPercent">When set, Istio's fault filter in the chain and an abort of this percentage on the ratings host's route.</param>
    public static string Config(int? ratingsAbortPercent = null)
    {
        var faultFilter = ratingsAbortPercent is null ? "" : """
                    - name: envoy.filters.http.fault
                      typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault }

            """;
        var ratingsFault = ratingsAbortPercent is not { } percent ? "" : $$"""

                  typed_per_filter_config:
                    envoy.filters.http.fault:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault
                      abort: { http_status: 503, percentage: { numerator: {{percent}}, denominator: HUNDRED } }
            """;
        var yaml = new StringBuilder("resources:\n");
        yaml.Append($$"""
            - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
              name: 0.0.0.0_15001
              address: { socket_address: { address: 0.0.0.0, port_value: 15001 } }
              use_original_dst: true
              traffic_direction: OUTBOUND
              filter_chains:
              - filters:
                - name: envoy.filters.network.tcp_proxy
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                    stat_prefix: PassthroughCluster
                    cluster: PassthroughCluster
            - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
              name: 0.0.0.0_{{TestMesh.Port}}
              address: { socket_address: { address: 0.0.0.0, port_value: {{TestMesh.Port}} } }
              bind_to_port: false
              traffic_direction: OUTBOUND
              filter_chains:
              - filter_chain_match: { transport_protocol: raw_buffer, application_protocols: [http/1.1, h2c] }
                name: 0.0.0.0_{{TestMesh.Port}}
                filters:
                - name: envoy.filters.network.http_connection_manager
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                    stat_prefix: outbound_0.0.0.0_{{TestMesh.Port}}
                    rds: { route_config_name: "{{TestMesh.Port}}", config_source: { ads: {}, initial_fetch_timeout: 0s, resource_api_version: V3 } }
                    http_filters:
            {{faultFilter}}        - name: envoy.filters.http.router
                      typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
              default_filter_chain:
                name: PassthroughFilterChain
                filters:
                - name: envoy.filters.network.tcp_proxy
                  typed_config:
                    "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                    stat_prefix: PassthroughCluster
                    cluster: PassthroughCluster
            - "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration
              name: "{{TestMesh.Port}}"
              validate_clusters: false
              virtual_hosts:
              - name: reviews.default.svc.cluster.local:{{TestMesh.Port}}
                domains: [reviews.default.svc.cluster.local, reviews, reviews.default, reviews.default.svc, "{{ReviewsVip}}", "{{ReviewsVip}}:{{TestMesh.Port}}"]
                routes:
                - name: jason
                  match: { prefix: /, headers: [ { name: end-user, string_match: { exact: jason } } ] }
                  route: { cluster: "{{ReviewsV2}}", timeout: 0s }
                - name: default
                  match: { prefix: / }
                  route: { cluster: "{{Reviews}}", timeout: 0s, retry_policy: { retry_on: "connect-failure,refused-stream,unavailable", num_retries: 2 } }
              - name: ratings.default.svc.cluster.local:{{TestMesh.Port}}
                domains: [ratings.default.svc.cluster.local, ratings, "{{RatingsVip}}", "{{RatingsVip}}:{{TestMesh.Port}}"]
                routes:
                - match: { prefix: / }
                  route:
                    weighted_clusters: { clusters: [ { name: "{{RatingsV1}}", weight: 80 }, { name: "{{RatingsV2}}", weight: 20 } ] }{{ratingsFault}}
              - name: allow_any
                domains: ["*"]
                routes:
                - match: { prefix: / }
                  route: { cluster: PassthroughCluster }
            - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
              name: PassthroughCluster
              type: ORIGINAL_DST
              lb_policy: CLUSTER_PROVIDED

            """);
        EdsCluster(yaml, Reviews);
        EdsCluster(yaml, ReviewsV2);
        EdsCluster(yaml, RatingsV1);
        EdsCluster(yaml, RatingsV2);
        Assignment(yaml, Reviews, "127.0.1.1", "127.0.1.2", "127.0.1.3");
        Assignment(yaml, ReviewsV2, "127.0.1.4");
        Assignment(yaml, RatingsV1, "127.0.2.1");
        Assignment(yaml, RatingsV2, "127.0.2.10");
        return yaml.ToString();
    }

    private static void EdsCluster(StringBuilder yaml, string name) => yaml.Append($$"""
        - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
          name: "{{name}}"
          type: EDS
          eds_cluster_config: { service_name: "{{name}}", eds_config: { ads: {}, resource_api_version: V3 } }
          lb_policy: ROUND_ROBIN

        """);

    private static void Assignment(StringBuilder yaml, string cluster, params string[] endpoints)
    {
        yaml.Append($$"""
            - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
              cluster_name: "{{cluster}}"
              endpoints:
              - lb_endpoints:

            """);
        foreach (var address in endpoints)
            yaml.Append($"    - endpoint: {{ address: {{ socket_address: {{ address: \"{address}\", port_value: {TestMesh.Port} }} }} }}\n");
    }
}
