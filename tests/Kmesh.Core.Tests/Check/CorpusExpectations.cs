using Kmesh.Core.Check;
using static Kmesh.Core.Check.ResourceOutcome;

namespace Kmesh.Core.Tests.Check;

/// <summary>One resource's expected outcome; each of <paramref name="Says"/> must appear in its reason, a fact or a finding.</summary>
internal sealed record Expected(string Resource, ResourceOutcome Outcome, params string[] Says);

/// <summary>
/// What <c>kmesh config check</c> must say about every resource of every corpus file (each file
/// on its own, as <c>kmesh run --config</c> loads it). A file is described whole: a resource
/// that appears or vanishes fails the test as surely as a wrong outcome.
/// </summary>
internal static class CorpusExpectations
{
    private const string Wildcard = "a wildcard address catches every destination, and no virtual host of its HTTP routes names a VIP";
    private const string NoEdsCluster = "no EDS cluster in this file takes its endpoints from it";
    private const string NoRdsListener = "no listener in this file fetches it over RDS";
    public const string NoClaYet = "eds_cluster_config: no ClusterLoadAssignment for";

    public static readonly IReadOnlyDictionary<string, (FileStatus Status, Expected[] Resources)> ByFile =
        new Dictionary<string, (FileStatus, Expected[])>
        {
            // ---- envoyproxy/examples: static bootstraps. Their listeners bind 0.0.0.0 with domains "*",
            // so no VIP is known at connect time and their HTTP filters (fault, local_ratelimit) never apply.
            ["envoyproxy__examples__fault-injection__envoy.yaml"] = (FileStatus.Checked,
            [
                new("listener (unnamed, listeners[0])", NotUsed, Wildcard),
                new("cluster local_service", Applied, "1 of 1 endpoints take connects: backend:80 100%"),
                new("bootstrap field layered_runtime", NotUsed, "fault.http.abort.abort_percent) are not read"),
            ]),
            ["envoyproxy__examples__local_ratelimit__envoy.yaml"] = (FileStatus.Checked,
            [
                new("listener (unnamed, listeners[0])", NotUsed, Wildcard),
                new("listener (unnamed, listeners[1])", NotUsed, Wildcard),
                new("cluster envoy-stat", Applied, "1 of 1 endpoints take connects: 127.0.0.1:9901 100%"),
                new("cluster service", Applied, "service:80 100%"),
                new("bootstrap field admin", NotUsed, "admin interface"),
            ]),
            ["envoyproxy__examples__locality-load-balancing__envoy.yaml"] = (FileStatus.Checked,
            [
                new("bootstrap field admin", NotUsed, "admin interface"),
                new("listener backend", NotUsed, Wildcard),
                // All healthy (health checks are Envoy's): priority 0 takes everything; 1 and 2 are failover.
                new("cluster backend", Applied, "1 of 4 endpoints take connects: backend-local-1:8080 100%; priorities 0, 1, 2; locality weighted over 4 localities"),
            ]),
            ["envoyproxy__examples__front-proxy__envoy.yaml"] = (FileStatus.Checked,
            [
                new("listener (unnamed, listeners[0])", NotUsed, Wildcard),
                new("listener (unnamed, listeners[1])", NotUsed, Wildcard),
                new("cluster service1-envoy", Applied, "service-envoy-1:8000 100%"),
                new("cluster service2-envoy", Applied, "service-envoy-2:8000 100%"),
                new("bootstrap field admin", NotUsed, "admin interface"),
                new("bootstrap field layered_runtime", NotUsed, "runtime overrides"),
            ]),
            ["envoyproxy__examples__dynamic-config-fs__configs__cds.yaml"] = (FileStatus.Checked,
            [
                new("cluster example_proxy_cluster", Applied, "ROUND_ROBIN load balancing; 1 of 1 endpoints take connects: service1:8080 100%"),
            ]),
            ["envoyproxy__examples__dynamic-config-fs__configs__lds.yaml"] = (FileStatus.Checked,
            [
                new("listener listener_0", NotUsed, Wildcard),
            ]),

            // ---- Envoy Gateway translator output: bare lists of one type each, so routes have no
            // listener and assignments no cluster in their own file.
            ["envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__backend-priority.endpoints.yaml"] = (FileStatus.Checked,
            [
                new("cluster load assignment httproute/default/httproute-1/rule/0", NotUsed, NoEdsCluster),
                new("cluster load assignment httproute/default/httproute-2/rule/0", NotUsed, NoEdsCluster),
                new("cluster load assignment envoyextensionpolicy/default/policy-for-http-route/0", NotUsed, NoEdsCluster),
            ]),
            ["envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__http-route-weighted-backend.endpoints.yaml"] = (FileStatus.Checked,
            [
                new("cluster load assignment first-route-dest", NotUsed, NoEdsCluster),
            ]),
            ["envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__fault-injection.routes.yaml"] = (FileStatus.Checked,
            [
                new("route configuration first-listener", NotUsed, NoRdsListener),
            ]),
            ["envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__http-route-zonal-routing-weighted-clusters.routes.yaml"] = (FileStatus.Checked,
            [
                new("route configuration first-listener", NotUsed, NoRdsListener),
            ]),
            ["envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__load-balancer.routes.yaml"] = (FileStatus.Checked,
            [
                new("route configuration first-listener", NotUsed, NoRdsListener),
            ]),
            // LocalRateLimit.rate_limits is newer than the Envoy API kmesh compiles.
            ["envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__local-ratelimit.routes.yaml"] = (FileStatus.Checked,
            [
                new("route configuration first-listener", Rejected, "line 36: [0].virtualHosts[0].routes[0].typedPerFilterConfig[\"envoy.filters.http.local_ratelimit\"].rateLimits: unknown field 'rateLimits'"),
            ]),

            // ---- Istio config dumps.
            ["istio__istio__istioctl__pkg__proxyconfig__testdata__config_dump.json"] = (FileStatus.Checked,
            [
                new("config dump section BootstrapConfigDump", NotUsed, "the dumped Envoy's bootstrap"),
                new("cluster agent", Applied, "1 of 1 endpoints take connects: 127.0.0.1:15020 100%"),
                new("cluster prometheus_stats", Applied, "127.0.0.1:15000 100%"),
                new("cluster inbound-vip|8000|http|httpbin.default.svc.cluster.local", Partial, "InternalUpstreamTransport"),
                // Envoy's dump lists every cluster's endpoints again, and every inline route configuration:
                // copies of what the STATIC cluster and the listener carry, not resources of their own.
                new("cluster load assignment prometheus_stats (copy at configs[2].static_endpoint_configs[0].endpoint_config)", NotUsed,
                    "copy of the endpoints of STATIC cluster prometheus_stats"),
                new("cluster load assignment inbound-vip|8100|http|httpbin.default.svc.cluster.local", NotUsed, NoEdsCluster),
                new("listener (unnamed, configs[3].static_listeners[0].listener)", NotUsed, Wildcard),
                new("listener main_internal", NotUsed, "the listener has no address, so it is not a connect-time service"),
                new("config dump section ScopedRoutesConfigDump", NotUsed, "needs L7"),
                new("route configuration inbound-vip|8000|http|httpbin.default.svc.cluster.local (copy at configs[5].static_route_configs[0].route_config)", NotUsed,
                    "copy of the route configuration inline in listener main_internal"),
                new("config dump section SecretsConfigDump", NotUsed, "TLS"),
            ]),
            // Its 37 assignments are checked in CorpusCheckTests (all not used: no cluster in the file).
            ["istio__istio__istioctl__pkg__writer__envoy__configdump__testdata__endpoint__configdump.json"] = (FileStatus.Checked, []),
            // (N) in INDEX.md: ztunnel's own dump, not Envoy xDS.
            ["istio__istio__istioctl__pkg__writer__ztunnel__configdump__testdata__dump.json"] = (FileStatus.NotEnvoyXds, []),

            // ==== LB_POLICY_TABLE: load-balancing policies and circuit breakers =====================
            // These outcomes follow what plugins/loadbalance supports (ROUND_ROBIN, RANDOM, LEAST_REQUEST,
            // RING_HASH, MAGLEV, by the lb_policy enum or the typed load_balancing_policy list) and will
            // change as plugins/circuitbreaker lands (circuit_breakers are not reported by any plugin yet).
            // The EDS clusters have no ClusterLoadAssignment in their file, hence partial. Update them here.
            ["envoyproxy__envoy__docs__root__intro__arch_overview__upstream___include__load-balancing-policy.yaml"] = (FileStatus.Checked,
            [
                new("listener listener_0", NotUsed, Wildcard),
                new("cluster example_cluster", Applied, "RANDOM load balancing"), // typed random
            ]),
            ["envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__load-balancer.clusters.yaml"] = (FileStatus.Checked,
            [
                new("cluster first-route-dest", Partial, "ROUND_ROBIN load balancing", NoClaYet),
                new("cluster second-route-dest", Partial, "RANDOM load balancing", NoClaYet),
                new("cluster third-route-dest", Partial, "LEAST_REQUEST (2 choices) load balancing", NoClaYet),
                new("cluster fourth-route-dest", Partial, "MAGLEV (table of 4093) load balancing", NoClaYet),
                new("cluster fifth-route-dest", Partial, "LEAST_REQUEST (2 choices) load balancing", "slow start is not supported"),
                new("cluster sixth-route-dest", Partial, "ROUND_ROBIN load balancing", NoClaYet),
                new("cluster seventh-route-dest", Partial, "MAGLEV (table of 4093) load balancing", NoClaYet),
                new("cluster eighth-route-dest", Partial, "MAGLEV (table of 65537) load balancing", "524287 entries; the kernel table is limited to 65537"),
                new("cluster ninth-route-dest", Partial, "MAGLEV (table of 4093) load balancing", NoClaYet),
                new("cluster tenth-route-dest", Partial, "MAGLEV (table of 4093) load balancing", NoClaYet),
                new("cluster eleventh-route-dest", Partial, "unknown @type 'type.googleapis.com/envoy.extensions.load_balancing_policies.override_host.v3.OverrideHost'",
                    "load_balancing_policy: no policy of the list is supported; using ROUND_ROBIN"),
                new("cluster twelfth-route-dest", Partial, "unknown @type 'type.googleapis.com/envoy.extensions.load_balancing_policies.override_host.v3.OverrideHost'",
                    "load_balancing_policy: no policy of the list is supported; using ROUND_ROBIN"),
                new("cluster thirteen-route-dest", Partial, "unknown @type 'type.googleapis.com/envoy.extensions.load_balancing_policies.override_host.v3.OverrideHost'",
                    "load_balancing_policy: no policy of the list is supported; using ROUND_ROBIN"),
                new("cluster fourteenth-route-dest", Partial, "MAGLEV (table of 4093) load balancing", NoClaYet),
                new("cluster fifteenth-route-dest", Partial, "MAGLEV (table of 4093) load balancing", NoClaYet),
                // client_side_weighted_round_robin: a field newer than the compiled Envoy API.
                new("cluster sixteenth-route-dest", Rejected, "line 375: [15].loadBalancingPolicy.policies[0].typedExtensionConfig.typedConfig.metricNamesForComputingUtilization: unknown field"),
                new("cluster seventeenth-route-dest", Rejected, "line 403: [16].loadBalancingPolicy.policies[0].typedExtensionConfig.typedConfig.metricNamesForComputingUtilization: unknown field"),
            ]),
            ["envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__circuit-breaker.clusters.yaml"] = (FileStatus.Checked,
            [
                new("cluster first-route-dest", Partial, "LEAST_REQUEST (2 choices) load balancing", NoClaYet),
            ]),
            ["envoyproxy__gateway__internal__xds__translator__testdata__out__xds-ir__health-check.clusters.yaml"] = (FileStatus.Checked,
            [
                new("cluster first-route-dest", Partial, "LEAST_REQUEST (2 choices) load balancing", NoClaYet),
                new("cluster second-route-dest", Partial, "LEAST_REQUEST (2 choices) load balancing", NoClaYet),
                new("cluster third-route-dest", Partial, "LEAST_REQUEST (2 choices) load balancing", NoClaYet),
                new("cluster fourth-route-dest", Partial, "LEAST_REQUEST (2 choices) load balancing", NoClaYet),
                new("cluster fifth-route-dest", Partial, "LEAST_REQUEST (2 choices) load balancing", NoClaYet),
            ]),
            ["istio__istio__istioctl__pkg__describe__testdata__describe__http_config.json"] = (FileStatus.Checked,
            [
                new("route configuration http.8080", NotUsed, NoRdsListener),
                new("cluster outbound|9080|v1|productpage.default.svc.cluster.local", Partial,
                    "LEAST_REQUEST (2 choices) load balancing", "MetadataExchange", NoClaYet),
            ]),
            // ==== end of LB_POLICY_TABLE ===========================================================
        };
}
