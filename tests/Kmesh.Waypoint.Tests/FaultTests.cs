using System.Diagnostics;
using System.Net;

namespace Kmesh.Waypoint.Tests;

/// <summary>
/// The faultinject plugin's L7 part, loaded by the waypoint from the built plugin folder: Envoy's
/// HTTP fault filter per request, configured as Istio writes it (an empty fault filter in the
/// chain, the fault in a route's typed_per_filter_config).
/// </summary>
public sealed class FaultTests
{
    private const string FaultFilter = """
        {"name": "envoy.filters.http.fault", "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault"}}
        """;

    [Fact]
    public async Task AnAbortOnOnePathAnswersItsStatusThereAndTheOtherPathsAreProxied()
    {
        await using var backend = await Backend.StartAsync("b");
        await using var waypoint = await StartAsync(backend,
            """{"match": {"prefix": "/teapot"}, "route": {"cluster": "b"}, "typed_per_filter_config": {"envoy.filters.http.fault": {"@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault", "abort": {"http_status": 418, "percentage": {"numerator": 100}}}}}""",
            """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}""");
        using var client = waypoint.Client("h");

        using var teapot = await client.GetAsync("/teapot");
        using var other = await client.GetAsync("/other");

        Assert.Equal((HttpStatusCode)418, teapot.StatusCode);
        Assert.Equal("fault filter abort", await teapot.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal("b", await other.Content.ReadAsStringAsync());
        Assert.Equal(1, backend.Requests);
    }

    [Fact]
    public async Task AHundredPercentDelayHoldsEachRequestAtLeastThatLong()
    {
        await using var backend = await Backend.StartAsync("b");
        await using var waypoint = await StartAsync(backend,
            """{"match": {"prefix": "/"}, "route": {"cluster": "b"}, "typed_per_filter_config": {"envoy.filters.http.fault": {"@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault", "delay": {"fixed_delay": "0.3s", "percentage": {"numerator": 100}}}}}""");
        using var client = waypoint.Client("h");

        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            Assert.Equal("b", await client.GetStringAsync("/"));
            // A lower bound only: the delay must be served in full, however loaded the machine is.
            Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(300), $"request {i} took {watch.Elapsed.TotalMilliseconds:0} ms");
        }
    }

    [Fact]
    public async Task AFaultConditionedOnAHeaderHitsOnlyRequestsWithIt()
    {
        await using var backend = await Backend.StartAsync("b");
        await using var waypoint = await StartAsync(backend,
            """{"match": {"prefix": "/"}, "route": {"cluster": "b"}, "typed_per_filter_config": {"envoy.filters.http.fault": {"@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault", "abort": {"http_status": 503, "percentage": {"numerator": 100}}, "headers": [{"name": "x-chaos", "string_match": {"exact": "on"}}]}}}""");
        using var client = waypoint.Client("h");

        using var calm = await client.GetAsync("/");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "x-chaos", "on" } } };
        using var chaos = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, calm.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, chaos.StatusCode);
    }

    private static Task<WaypointRun> StartAsync(Backend backend, params string[] routes)
    {
        var mesh = MeshJson.Mesh(MeshJson.VirtualHost("h", ["h"], routes), MeshJson.Cluster("b", backend))
            .Replace("\"http_filters\": [", "\"http_filters\": [" + FaultFilter + ",");
        return WaypointRun.StartAsync(mesh, options: o => o with { PluginDirectories = [RepoPlugins.Directory] });
    }
}
