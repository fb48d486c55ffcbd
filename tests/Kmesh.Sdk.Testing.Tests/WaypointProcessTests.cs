using System.Net;
using Kmesh.Sdk.Testing;

namespace Kmesh.Sdk.Testing.Tests;

/// <summary>The real <c>kmesh waypoint</c> as a child process on the test's config: no kernel needed.</summary>
public sealed class WaypointProcessTests
{
    [Fact]
    public async Task StartAsync_WaitsUntilItServesTheConfigsListenerPort()
    {
        var port = WaypointProcess.FreePort();
        var closedPort = WaypointProcess.FreePort();
        await using var waypoint = await WaypointProcess.StartAsync(
            Mesh.Replace("LISTENER_PORT", $"{port}").Replace("BACKEND_PORT", $"{closedPort}"), daemonDll: RepoDaemon.Dll);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using var unknownHost = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "elsewhere" } });
        using var knownHost = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "web" } });

        // Envoy's own answers: no virtual host for the authority, and an upstream that refuses.
        Assert.Equal(HttpStatusCode.NotFound, unknownHost.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, knownHost.StatusCode);
        Assert.Contains(waypoint.Process.Lines, l => l.Contains("ready", StringComparison.Ordinal));
    }

    private const string Mesh = """
        static_resources:
          listeners:
          - name: web
            address: { socket_address: { address: "0.0.0.0", port_value: LISTENER_PORT } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.http_connection_manager
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                  stat_prefix: web
                  route_config:
                    virtual_hosts:
                    - { name: web, domains: ["web"], routes: [ { match: { prefix: "/" }, route: { cluster: web } } ] }
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router }
          clusters:
          - name: web
            type: STATIC
            connect_timeout: 1s
            load_assignment:
              cluster_name: web
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: "127.0.0.1", port_value: BACKEND_PORT } } }
        """;

    /// <summary>The repository's built daemon (the package ships it next to the tests instead).</summary>
    private static class RepoDaemon
    {
        public static string Dll { get; } = Find();

        private static string Find()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Kmesh.sln")))
                {
#if DEBUG
                    const string configuration = "Debug";
#else
                    const string configuration = "Release";
#endif
                    return Path.Combine(dir.FullName, "core", "Kmesh.Daemon", "bin", configuration, "net10.0", "kmesh.dll");
                }
            }
            throw new InvalidOperationException("the repository root (Kmesh.sln) is not above the test's folder");
        }
    }
}
