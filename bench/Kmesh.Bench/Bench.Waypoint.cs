using System.Globalization;
using Kmesh.Sdk.Testing;

namespace Kmesh.Bench;

/// <summary>
/// The L7 waypoint (issue 15) as a request-path variant beside HAProxy in HTTP mode: <c>kmesh
/// waypoint</c> (Kestrel + YARP, Release) in the clean namespace, outside the cgroup, with one HTTP
/// listener whose catch-all route goes to the same nginx. wrk dials it directly, as it dials
/// HAProxy: what is measured is the proxy, not the steering (which is a connect rewrite).
/// With <c>--waypoint-baseline</c>, a second waypoint from another build runs beside it
/// (<c>waypoint-before</c>), so before and after are measured in the same rounds.
/// </summary>
public sealed partial class Bench
{
    private const string WaypointAddress = "127.0.0.4";
    private const string BaselineWaypointAddress = "127.0.0.5";
    private const int WaypointPort = 8083;

    /// <summary>
    /// Load each waypoint serves before anything is measured, per connection mode. A JIT-compiled
    /// server spends its first seconds of load compiling (tier-0 code, then the optimized tier, with
    /// a full core's worth of JIT time for the first ~8 s at 64 connections); a waypoint runs for
    /// days, so the bench measures it warm. Both modes, because new connections run code that
    /// keep-alive never reaches.
    /// </summary>
    private int WaypointWarmUpSeconds => o.Quick ? 3 : 10;

    private static string Url(string address) => $"http://{address}:{WaypointPort.ToString(CultureInfo.InvariantCulture)}/";

    private static string WaypointUrl => Url(WaypointAddress);

    /// <summary>The request-path rows of the waypoint(s): this build's, and the baseline's when there is one.</summary>
    private Variant[] WaypointRows() => o.WaypointBaseline is null
        ? [new("waypoint", _clean.NetnsName, null, WaypointUrl)]
        : [new("waypoint", _clean.NetnsName, null, WaypointUrl), new("waypoint-before", _clean.NetnsName, null, Url(BaselineWaypointAddress))];

    /// <summary><c>--only waypoint</c>: what issue 15's goals compare, nothing else.</summary>
    private Variant[] WaypointVariants() =>
    [
        new("direct", _clean.NetnsName, null, $"http://{MeshConfig.WebBackend}:{MeshConfig.WebBackendPort}/"),
        new("haproxy-http", _clean.NetnsName, null, "http://127.0.0.3:8082/"),
        .. WaypointRows(),
    ];

    /// <summary>The set-up of <c>--only waypoint</c>: one namespace with nginx, HAProxy and the waypoint(s); no daemon, no kernel programs.</summary>
    private async Task SetUpWaypointOnlyAsync()
    {
        Log("set-up: one network namespace, nginx, HAProxy, the waypoint(s)");
        _clean = await KernelSandbox.CreateAsync(cancellationToken: ct);
        Sysctl(_clean.NetnsName, "net.ipv4.ip_local_port_range", "1024 65535");
        Sysctl(_clean.NetnsName, "net.ipv4.tcp_tw_reuse", "1");
        Sysctl(_clean.NetnsName, "net.ipv4.tcp_max_tw_buckets", "8192");
        StartServer(_clean.NetnsName, "nginx", ["nginx", "-c", NginxConf($"nginx-{_clean.NetnsName}", $"{MeshConfig.WebBackend}:{MeshConfig.WebBackendPort}"), "-g", "daemon off;"]);
        _servers["haproxy"] = StartServer(_clean.NetnsName, "haproxy", ["haproxy", "-db", "-f", HaproxyConf()]);
        StartWaypoints();
        await WaitUntilAsync(() => Curl(_clean.NetnsName, $"http://{MeshConfig.WebBackend}:{MeshConfig.WebBackendPort}/")
            && Curl(_clean.NetnsName, "http://127.0.0.3:8082/") && WaypointsAnswer(), "nginx, HAProxy and the waypoint(s) to answer");
        await WarmUpWaypointsAsync();
    }

    private void StartWaypoints()
    {
        _servers["waypoint"] = StartWaypoint("waypoint", o.DaemonDll, WaypointAddress);
        if (o.WaypointBaseline is { } before)
            _servers["waypoint-before"] = StartWaypoint("waypoint-before", before, BaselineWaypointAddress);
    }

    private bool WaypointsAnswer() => WaypointRows().All(v => Curl(v.Netns, v.Url));

    private async Task WarmUpWaypointsAsync()
    {
        foreach (var v in WaypointRows())
        {
            foreach (var close in new[] { false, true })
            {
                string[] wrk = ["wrk", "-t1", "-c64", $"-d{WaypointWarmUpSeconds}s", "--timeout", "2s", .. close ? new[] { "-H", "Connection: close" } : [], v.Url];
                Proc.Run(Proc.InNetns(v.Netns, null, wrk), TimeSpan.FromSeconds(WaypointWarmUpSeconds + 30));
                await Task.Delay(200, ct);
            }
        }
    }

    private System.Diagnostics.Process StartWaypoint(string name, string dll, string address)
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
        return StartServer(_clean.NetnsName, name,
            // As deployed (deploy/kubernetes): thread-pool workers that find no work sleep instead of
            // spinning, which on 2 shared cores takes CPU from nginx and wrk (and from the waypoint's own I/O).
            ["env", "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0", "dotnet", dll, "waypoint", "--config", config, "--listen", address, "--admin", "none", "--log-level", "warning"]);
    }
}
