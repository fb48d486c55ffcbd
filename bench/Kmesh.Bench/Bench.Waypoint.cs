using System.Globalization;

namespace Kmesh.Bench;

/// <summary>
/// The L7 waypoint (issue 15) as a request-path variant beside HAProxy in HTTP mode: <c>kmesh
/// waypoint</c> (Kestrel + YARP, Release) in the clean namespace, outside the cgroup, with one HTTP
/// listener whose catch-all route goes to the same nginx. wrk dials it directly, as it dials
/// HAProxy: what is measured is the proxy, not the steering (which is a connect rewrite).
/// </summary>
public sealed partial class Bench
{
    private const string WaypointAddress = "127.0.0.4";
    private const int WaypointPort = 8083;

    private static string WaypointUrl => $"http://{WaypointAddress}:{WaypointPort.ToString(CultureInfo.InvariantCulture)}/";

    private void StartWaypoint()
    {
        var config = Path.Combine(_work, "waypoint.yaml");
        File.WriteAllText(config, $$"""
            static_resources:
              listeners:
              - name: 0.0.0.0_{{WaypointPort}}
                address: { socket_address: { address: 0.0.0.0, port_value: {{WaypointPort}} } }
                filter_chains:
                - filters:
                  - name: envoy.filters.network.http_connection_manager
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                      stat_prefix: bench
                      route_config:
                        virtual_hosts: [ { name: web, domains: ["*"], routes: [ { match: { prefix: "/" }, route: { cluster: web } } ] } ]
                      http_filters:
                      - name: envoy.filters.http.router
                        typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
              clusters:
              - name: web
                type: STATIC
                load_assignment:
                  cluster_name: web
                  endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: {{MeshConfig.WebBackend}}, port_value: {{MeshConfig.WebBackendPort}} } } } } ] } ]
            """);
        StartServer(_clean.NetnsName, "waypoint",
            // As deployed (deploy/kubernetes): thread-pool workers that find no work sleep instead of
            // spinning, which on 2 shared cores takes CPU from nginx and wrk (and from the waypoint's own I/O).
            ["env", "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0", "dotnet", o.DaemonDll, "waypoint", "--config", config, "--listen", WaypointAddress, "--admin", "none", "--log-level", "warning"]);
    }
}
