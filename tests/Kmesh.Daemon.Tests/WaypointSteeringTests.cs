using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// <c>kmesh run --waypoint IP</c> with <c>kmesh waypoint --listen IP</c>: connects to an HTTP service
/// whose routes need the request are steered by the kernel to the waypoint, at the port dialed,
/// and the waypoint routes each request as Envoy would; a service the kernel can decide alone
/// never goes there. The client is curl in the governed cgroup; the backends are nginx; the
/// waypoint runs in the sandbox's netns outside the cgroup, as a DaemonSet container would.
/// </summary>
public sealed class WaypointSteeringTests
{
    private const string ReviewsVip = "127.20.2.10";
    private const string RatingsVip = "127.20.2.11";
    private const string WaypointIp = "127.0.8.100";

    [KernelFact]
    public async Task HeaderRoutedServiceGoesThroughTheWaypoint_KernelOnlyServiceDoesNot()
    {
        await using var mesh = await MeshRun.StartAsync(Config(), ["--waypoint", WaypointIp]);
        using var site = HttpBackends.Create(("127.0.8.1:9080", "reviews-v1"), ("127.0.8.2:9080", "reviews-v2"));
        await using var nginx = await mesh.Sandbox.StartProcessAsync(Installed("nginx"), site.Arguments, insideCgroup: false);
        await nginx.WaitForListenerAsync(TestMesh.Port);
        await using var waypoint = await mesh.Sandbox.StartProcessAsync(RepoPaths.DotnetHost,
            [RepoPaths.DaemonDll, "waypoint", "--config", mesh.ConfigPath, "--listen", WaypointIp], insideCgroup: false);
        await waypoint.WaitForOutputAsync("ready", TimeSpan.FromSeconds(60));

        var plain = await CurlAsync(mesh.Sandbox, $"http://{ReviewsVip}:{TestMesh.Port}/");
        var jason = await CurlAsync(mesh.Sandbox, $"http://{ReviewsVip}:{TestMesh.Port}/", "x-user: jason");
        var ratings = await mesh.Client.DialAsync(RatingsVip, TestMesh.Port, 10);

        Assert.True(plain == "reviews-v1", $"{plain}\n{mesh.Daemon.Log}\n{string.Join('\n', waypoint.Output)}");
        Assert.Equal("reviews-v2", jason);
        // A raw TCP echo answers its name at once: through an HTTP proxy it could not.
        Assert.True(ratings.Count("ratings-v1") == 10, $"{ratings}\n{mesh.Daemon.Log}");
    }

    [KernelFact]
    public async Task WithTheWaypointDown_SteeredConnectsAreRefusedAtOnce_AndStatusAndMetricsSayWhy()
    {
        var waypointAdmin = WaypointProcess.FreePort();
        await using var mesh = await MeshRun.StartAsync(Config(), ["--waypoint", WaypointIp, "--waypoint-admin", $"127.0.0.1:{waypointAdmin}"]);

        var refused = await mesh.Client.DialAsync(ReviewsVip, TestMesh.Port, 5);
        var unreachable = await WaitForWaypointStateAsync(mesh, "unreachable");

        Assert.True(refused.ErrorCount("ECONNREFUSED") == 5, $"{refused}\n{mesh.Daemon.Log}");
        Assert.Contains($"127.0.0.1:{waypointAdmin}", unreachable.GetProperty("detail").GetString());
        Assert.Contains("kmesh_waypoint_up 0", (await Admin.GetAsync(mesh.Daemon, "/metrics")).Body);
        Assert.Contains("fail at once with ECONNREFUSED", mesh.Daemon.Log);

        // Any waypoint answering ready at that admin address: the daemon sees it come up.
        var port = WaypointProcess.FreePort();
        await using var waypoint = await WaypointProcess.StartAsync(
            $$"""
            static_resources:
              listeners:
              - name: up
                address: { socket_address: { address: 0.0.0.0, port_value: {{port}} } }
                filter_chains:
                - filters:
                  - name: envoy.filters.network.http_connection_manager
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                      stat_prefix: up
                      route_config: { virtual_hosts: [ { name: up, domains: ["*"], routes: [ { match: { prefix: "/" }, direct_response: { status: 200 } } ] } ] }
                      http_filters: [ { name: envoy.filters.http.router, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router } } ]
            """,
            extraArguments: ["--admin", $"127.0.0.1:{waypointAdmin}"], daemonDll: RepoPaths.DaemonDll);
        await WaitForWaypointStateAsync(mesh, "ready");
        Assert.Contains("kmesh_waypoint_up 1", (await Admin.GetAsync(mesh.Daemon, "/metrics")).Body);
    }

    /// <summary>Polls /status until its waypoint section is in <paramref name="state"/> (the daemon asks every few seconds).</summary>
    private static async Task<System.Text.Json.JsonElement> WaitForWaypointStateAsync(MeshRun mesh, string state)
    {
        var last = "";
        for (var i = 0; i < 120; i++)
        {
            var (_, body) = await Admin.GetAsync(mesh.Daemon, "/status");
            var waypoint = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("waypoint");
            if (waypoint.ValueKind == System.Text.Json.JsonValueKind.Object && waypoint.GetProperty("state").GetString() == state)
                return waypoint;
            last = body;
            await Task.Delay(500);
        }
        throw new Xunit.Sdk.XunitException($"the waypoint never became {state} in /status: {last}");
    }

    private static async Task<string> CurlAsync(KernelSandbox sandbox, string url, string? header = null)
    {
        string[] arguments = header is null
            ? ["--silent", "--show-error", "--max-time", "20", url]
            : ["--silent", "--show-error", "--max-time", "20", "-H", header, url];
        await using var curl = await sandbox.StartProcessAsync(Installed("curl"), arguments);
        var exit = await curl.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var output = string.Join('\n', curl.Output).Trim();
        return exit == 0 ? output : $"curl exited {exit}: {output}";
    }

    private static string Installed(string tool) =>
        new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException($"{tool} is not installed: apt-get install {tool} (./kmesh test installs it)");

    /// <summary>
    /// Istio's shape: one wildcard HTTP listener; reviews sends user jason to v2 (only a request
    /// can tell), ratings has nothing but a catch-all (decided at connect time).
    /// </summary>
    private static string Config() => $$"""
        static_resources:
          listeners:
          - name: 0.0.0.0_{{TestMesh.Port}}
            address: { socket_address: { address: 0.0.0.0, port_value: {{TestMesh.Port}} } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: outbound_0.0.0.0_{{TestMesh.Port}}
                  route_config:
                    name: "{{TestMesh.Port}}"
                    virtual_hosts:
                    - name: reviews
                      domains: ["{{ReviewsVip}}", "{{ReviewsVip}}:{{TestMesh.Port}}", "reviews"]
                      routes:
                      - match: { prefix: "/", headers: [ { name: x-user, string_match: { exact: jason } } ] }
                        route: { cluster: reviews-v2 }
                      - match: { prefix: "/" }
                        route: { cluster: reviews-v1 }
                    - name: ratings
                      domains: ["{{RatingsVip}}", "{{RatingsVip}}:{{TestMesh.Port}}"]
                      routes:
                      - match: { prefix: "/" }
                        route: { cluster: ratings }
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
          clusters:
          - { name: reviews-v1, type: STATIC, load_assignment: { cluster_name: reviews-v1, endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.8.1, port_value: {{TestMesh.Port}} } } } } ] } ] } }
          - { name: reviews-v2, type: STATIC, load_assignment: { cluster_name: reviews-v2, endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.8.2, port_value: {{TestMesh.Port}} } } } } ] } ] } }
          - { name: ratings, type: STATIC, load_assignment: { cluster_name: ratings, endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.2.1, port_value: {{TestMesh.Port}} } } } } ] } ] } }
        """;
}
