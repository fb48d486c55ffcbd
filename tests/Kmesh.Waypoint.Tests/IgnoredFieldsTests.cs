using Envoy.Config.Route.V3;
using Google.Protobuf;
using Kmesh.Sdk.Snapshot;
using Kmesh.Waypoint.Routing;

namespace Kmesh.Waypoint.Tests;

/// <summary>What the waypoint does not read is reported by field; the route still serves.</summary>
public sealed class IgnoredFieldsTests
{
    private static readonly JsonParser Parser = new(JsonParser.Settings.Default.WithIgnoreUnknownFields(false));

    [Fact]
    public void IstiosUsualRouteHasNothingIgnored()
    {
        // The shape Istio writes for every HTTP route.
        var findings = Compile("""
            {"name": "reviews.default.svc.cluster.local:9080", "domains": ["reviews", "10.96.0.15"],
             "routes": [{"name": "default", "match": {"prefix": "/"},
               "route": {"cluster": "outbound|9080||reviews.default.svc.cluster.local", "timeout": "0s",
                 "retry_policy": {"retry_on": "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes", "num_retries": 2,
                   "retry_host_predicate": [{"name": "envoy.retry_host_predicates.previous_hosts"}], "host_selection_retry_max_attempts": "5", "retriable_status_codes": [503]},
                 "max_stream_duration": {"max_stream_duration": "0s", "grpc_timeout_header_max": "0s"}},
               "decorator": {"operation": "reviews.default.svc.cluster.local:9080/*"}}],
             "include_request_attempt_count": false}
            """);

        Assert.Empty(findings);
    }

    [Fact]
    public void WhatChangesBehaviourAndIsNotReadIsReportedByField()
    {
        var findings = Compile("""
            {"name": "h", "domains": ["h"], "require_tls": "ALL",
             "routes": [{"match": {"prefix": "/"},
               "route": {"weighted_clusters": {"clusters": [{"name": "a", "weight": 1, "request_headers_to_add": [{"header": {"key": "x", "value": "y"}}]}, {"name": "b", "weight": 1}]},
                 "hedge_policy": {"hedge_on_per_try_timeout": true}, "idle_timeout": "5s"}}]}
            """);

        string[] expected =
        [
            "virtual_hosts[0].require_tls",
            "virtual_hosts[0].routes[0].route.hedge_policy",
            "virtual_hosts[0].routes[0].route.idle_timeout",
            "virtual_hosts[0].routes[0].route.weighted_clusters.clusters[0].request_headers_to_add",
        ];
        Assert.Equal(expected, findings.Select(f => f.Field).Order(StringComparer.Ordinal));
        Assert.All(findings, f => Assert.Contains("not read by the waypoint", f.Message, StringComparison.Ordinal));
    }

    private static List<WaypointFinding> Compile(string virtualHostJson)
    {
        var config = new RouteConfiguration { Name = "r", VirtualHosts = { Parser.Parse<VirtualHost>(virtualHostJson) } };
        var findings = new List<WaypointFinding>();
        var hosts = RouteCompiler.Compile(config, ResourceRef.Routes("r"), findings);
        Assert.NotEmpty(hosts);
        return findings;
    }
}
