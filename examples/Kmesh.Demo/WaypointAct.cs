using Kmesh.Sdk.Testing;

namespace Kmesh.Demo;

/// <summary>
/// The demo's L7 act: a storefront service whose beta users (header <c>x-beta: yes</c>) go to
/// another version, which only a request can tell. The daemon runs with <c>--waypoint</c>, so the
/// kernel sends connects to that service, and to it alone, to <c>kmesh waypoint</c>, which routes
/// each request as Envoy would. The plugins' L7 parts apply there too: the ratelimit plugin limits
/// one user (a local rate limit descriptor made from the <c>x-user</c> header) and leaves the
/// others alone; a response header says, with Envoy's <c>%COMMAND%</c>s, which cluster and
/// endpoint answered. Backends are nginx; the client is curl in the governed cgroup.
/// </summary>
internal static class WaypointAct
{
    public const string WaypointAddress = "127.0.88.100";
    private const string StorefrontVip = "127.10.0.30";

    public static async Task RunAsync(string daemonDll, string pluginDir, KernelSandbox sandbox, DaemonProcess daemon, string liveConfig)
    {
        if (Installed("nginx") is not { } nginx || Installed("curl") is not { } curl)
        {
            Showcase.Step("L7 waypoint: skipped (nginx and curl are needed; ./kmesh demo installs them)");
            return;
        }
        Showcase.Step($"L7 waypoint: storefront ({StorefrontVip}:9090) sends x-beta: yes to v2 — only a request can tell, so the kernel steers its connects to kmesh waypoint --listen {WaypointAddress}");
        var site = Directory.CreateTempSubdirectory("kmesh-demo-nginx-").FullName;
        try
        {
            await using var web = await sandbox.StartProcessAsync(nginx, ["-p", site, "-c", WriteNginxConfig(site), "-e", "stderr"], insideCgroup: false);
            await Task.Delay(500);
            if (web.HasExited)
            {
                Console.WriteLine($"    nginx did not start: {string.Join(" ", web.Output)}");
                return;
            }
            var skip = daemon.Lines.Count;
            var text = File.ReadAllText(liveConfig);
            File.WriteAllText(liveConfig + ".tmp", text.Replace("\n  clusters:\n", "\n" + StorefrontListener + "  clusters:\n") + StorefrontClusters);
            File.Move(liveConfig + ".tmp", liveConfig, overwrite: true);
            await daemon.WaitForLineAsync("Applied config", TimeSpan.FromSeconds(10), skip);
            await using var waypoint = await sandbox.StartProcessAsync("dotnet",
                [daemonDll, "waypoint", "--config", liveConfig, "--listen", WaypointAddress, "--admin", "none", "--plugin-dir", pluginDir], insideCgroup: false);
            Console.WriteLine($"    waypoint | {await waypoint.WaitForOutputAsync("ready", TimeSpan.FromSeconds(60))}");
            foreach (var header in new[] { "", "x-beta: yes" })
            {
                string[] arguments = header.Length == 0
                    ? ["--silent", "--max-time", "10", $"http://{StorefrontVip}:9090/"]
                    : ["--silent", "--max-time", "10", "-H", header, $"http://{StorefrontVip}:9090/"];
                var answers = new Dictionary<string, int>();
                for (var i = 0; i < 5; i++)
                {
                    await using var request = await sandbox.StartProcessAsync(curl, arguments);
                    await request.WaitForExitAsync(TimeSpan.FromSeconds(20));
                    var body = string.Join("", request.Output).Trim();
                    answers[body] = answers.GetValueOrDefault(body) + 1;
                }
                Console.WriteLine($"    curl {(header.Length == 0 ? "(no header)" : header),-12} x5 → {string.Join(", ", answers.Select(a => $"{a.Key} ×{a.Value}"))}");
            }
            await using (var headers = await sandbox.StartProcessAsync(curl, ["--silent", "--max-time", "10", "--output", "/dev/null", "--dump-header", "-", $"http://{StorefrontVip}:9090/"]))
            {
                await headers.WaitForExitAsync(TimeSpan.FromSeconds(20));
                var servedBy = headers.Output.FirstOrDefault(l => l.StartsWith("x-served-by:", StringComparison.OrdinalIgnoreCase))?.Trim();
                Console.WriteLine($"    response header (\"%UPSTREAM_CLUSTER% at %UPSTREAM_HOST%\") → {servedBy ?? "(none)"}");
            }
            foreach (var user in new[] { "alice", "bob" })
            {
                var statuses = new List<string>();
                for (var i = 0; i < 5; i++)
                {
                    await using var request = await sandbox.StartProcessAsync(curl, ["--silent", "--max-time", "10", "--output", "/dev/null", "--write-out", "%{http_code}", "-H", $"x-user: {user}", $"http://{StorefrontVip}:9090/"]);
                    await request.WaitForExitAsync(TimeSpan.FromSeconds(20));
                    statuses.Add(string.Join("", request.Output).Trim());
                }
                Console.WriteLine($"    curl x-user: {user,-6} x5 → {string.Join(" ", statuses)}{(user == "alice" ? "   (alice's descriptor: 3 requests a minute)" : "   (no descriptor of bob's: the default bucket)")}");
            }
            Console.WriteLine("    the other services never reach the waypoint: their routes are decided at connect time, in the kernel");
        }
        finally
        {
            Directory.Delete(site, recursive: true);
        }
    }

    private static string? Installed(string tool) =>
        new[] { "/usr/sbin", "/usr/bin", "/sbin", "/bin" }.Select(d => Path.Combine(d, tool)).FirstOrDefault(File.Exists);

    // master_process off: one process, so the pid the sandbox started is the server.
    private static string WriteNginxConfig(string root)
    {
        var path = Path.Combine(root, "nginx.conf");
        File.WriteAllText(path, $$"""
            daemon off;
            master_process off;
            user root;
            pid {{root}}/nginx.pid;
            error_log stderr warn;
            events { worker_connections 64; }
            http {
              access_log off;
              client_body_temp_path {{root}}/body; proxy_temp_path {{root}}/proxy; fastcgi_temp_path {{root}}/fcgi;
              uwsgi_temp_path {{root}}/uwsgi; scgi_temp_path {{root}}/scgi;
              server { listen 127.0.88.1:9080; location / { default_type text/plain; return 200 "storefront-v1"; } }
              server { listen 127.0.88.2:9080; location / { default_type text/plain; return 200 "storefront-v2 (beta)"; } }
            }
            """);
        return path;
    }

    private const string StorefrontListener = """
          # Added by the demo's L7 act: a header route, which needs the request (the waypoint).
          - name: storefront
            address: { socket_address: { address: 127.10.0.30, port_value: 9090 } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: storefront
                  http_filters:
                  - name: envoy.filters.http.local_ratelimit
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit
                      stat_prefix: storefront_rl
                      token_bucket: { max_tokens: 1000, tokens_per_fill: 1000, fill_interval: 60s }
                      filter_enabled: { default_value: { numerator: 100 } }
                      filter_enforced: { default_value: { numerator: 100 } }
                      always_consume_default_token_bucket: false
                      descriptors:
                      - entries: [ { key: user, value: alice } ]
                        token_bucket: { max_tokens: 3, tokens_per_fill: 3, fill_interval: 60s }
                  - name: envoy.filters.http.router
                    typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
                  route_config:
                    virtual_hosts:
                    - name: storefront
                      domains: ["*"]
                      rate_limits:
                      - actions: [ { request_headers: { header_name: x-user, descriptor_key: user } } ]
                      response_headers_to_add:
                      - header: { key: x-served-by, value: "%UPSTREAM_CLUSTER% at %UPSTREAM_HOST%" }
                      routes:
                      - match: { prefix: "/", headers: [ { name: x-beta, string_match: { exact: "yes" } } ] }
                        route: { cluster: storefront-v2 }
                      - match: { prefix: "/" }
                        route: { cluster: storefront-v1 }

        """;

    private const string StorefrontClusters = """

          - name: storefront-v1
            type: STATIC
            load_assignment: { cluster_name: storefront-v1, endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.88.1, port_value: 9080 } } } } ] } ] }
          - name: storefront-v2
            type: STATIC
            load_assignment: { cluster_name: storefront-v2, endpoints: [ { lb_endpoints: [ { endpoint: { address: { socket_address: { address: 127.0.88.2, port_value: 9080 } } } } ] } ] }

        """;
}
