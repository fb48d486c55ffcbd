using System.Net;
using Kmesh.Sdk.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Kmesh.PluginTemplate.Tests;

/// <summary>
/// The plugin's L7 part in the real <c>kmesh waypoint</c> (shipped in Kmesh.Sdk.Testing), loaded
/// from this test's folder, between an HTTP client and a backend on loopback. No kernel needed:
/// the test dials the waypoint itself, as the kernel would steer a service's connects to it.
/// </summary>
public sealed class WaypointTests
{
    [Fact]
    public async Task EveryResponseThroughTheWaypointCarriesTheHeader()
    {
        await using var backend = await StartBackendAsync();
        var port = WaypointProcess.FreePort();
        await using var waypoint = await WaypointProcess.StartAsync(
            MeshConfig.Replace("LISTENER_PORT", port.ToString()).Replace("BACKEND_PORT", BackendPort(backend).ToString()),
            pluginDirs: [AppContext.BaseDirectory]);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };

        using var response = await client.GetAsync("/hello");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("backend", await response.Content.ReadAsStringAsync());
        Assert.Equal("seen", Assert.Single(response.Headers.GetValues(SeenHeaderExtension.Header)));
    }

    private static async Task<WebApplication> StartBackendAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(context => context.Response.WriteAsync("backend"));
        await app.StartAsync();
        return app;
    }

    // Once started, Urls holds the address Kestrel bound (port 0 chose a free one).
    private static int BackendPort(WebApplication app) => new Uri(app.Urls.First()).Port;

    // One HTTP service: every request to it goes to the backend. The waypoint serves on the listener's port.
    private const string MeshConfig = """
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
                    - name: web
                      domains: ["*"]
                      routes:
                      - match: { prefix: "/" }
                        route: { cluster: web }
                  http_filters:
                  - name: envoy.filters.http.router
                    typed_config:
                      "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
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
}
