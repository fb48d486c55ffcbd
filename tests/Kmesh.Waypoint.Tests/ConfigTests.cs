using System.Net;

namespace Kmesh.Waypoint.Tests;

/// <summary>What the waypoint does with configs: a route it cannot honour, a changed file.</summary>
public sealed class ConfigTests
{
    [Fact]
    public async Task ARouteItCannotHonourIsReportedByFieldAndTheRestServes()
    {
        await using var backend = await Backend.StartAsync("b");
        var logs = new List<string>();
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("h", ["h"],
                """{"match": {"prefix": "/odd", "dynamic_metadata": [{"filter": "envoy.lb", "path": [{"key": "canary"}], "value": {"string_match": {"exact": "1"}}}]}, "route": {"cluster": "b"}}""",
                """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}"""),
            MeshJson.Cluster("b", backend)), logs);
        using var client = waypoint.Client("h");

        Assert.Equal("b", await client.GetStringAsync("/anything"));
        string[] lines;
        lock (logs)
            lines = [.. logs];
        Assert.Contains(lines, l => l.Contains("listener 0.0.0.0_", StringComparison.Ordinal)
            && l.Contains("virtual_hosts[0].routes[0].match", StringComparison.Ordinal)
            && l.Contains("dynamic_metadata", StringComparison.Ordinal)
            && l.Contains("left out", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AnHttpFilterNothingAppliesIsReportedAndOnesThatRefuseRequestsSaySo()
    {
        await using var backend = await Backend.StartAsync("b");
        var logs = new List<string>();
        var mesh = MeshJson.Mesh(MeshJson.VirtualHost("h", ["h"], """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}"""), MeshJson.Cluster("b", backend))
            .Replace("\"http_filters\": [", "\"http_filters\": [" + """
                {"name": "envoy.filters.http.rbac", "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC"}},
                {"name": "envoy.filters.http.grpc_stats", "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.grpc_stats.v3.FilterConfig"}},
                {"name": "envoy.filters.http.fault", "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault"}},
                """);
        // No plugin folder: nothing applies the fault filter either.
        await using var waypoint = await WaypointRun.StartAsync(mesh, logs, o => o with { PluginDirectories = [] });
        using var client = waypoint.Client("h");

        Assert.Equal("b", await client.GetStringAsync("/"));
        string[] lines;
        lock (logs)
            lines = [.. logs];
        Assert.Contains(lines, l => l.Contains("http_filters[0]", StringComparison.Ordinal) && l.Contains("requests it would refuse are served", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("http_filters[1]", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("http_filters[2]", StringComparison.Ordinal) && l.Contains("envoy.filters.http.fault", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains("http_filters[3]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AChangedConfigFileIsServedWithoutARestart()
    {
        await using var first = await Backend.StartAsync("first");
        await using var second = await Backend.StartAsync("second");
        string Mesh(string cluster) => MeshJson.Mesh(
            MeshJson.VirtualHost("h", ["h"], """{"match": {"prefix": "/"}, "route": {"cluster": "CLUSTER"} }""".Replace("CLUSTER", cluster)),
            MeshJson.Cluster("first", first), MeshJson.Cluster("second", second));
        await using var waypoint = await WaypointRun.StartAsync(Mesh("first"));
        using var client = waypoint.Client("h");
        Assert.Equal("first", await client.GetStringAsync("/"));

        var text = (await File.ReadAllTextAsync(waypoint.ConfigPath)).Replace("\"cluster\": \"first\"}", "\"cluster\": \"second\"}");
        await File.WriteAllTextAsync(waypoint.ConfigPath + ".new", text);
        File.Move(waypoint.ConfigPath + ".new", waypoint.ConfigPath, overwrite: true);

        // The file source notices the rename; poll until the new route serves (no time bound asserted).
        var seen = "first";
        for (var i = 0; i < 300 && seen != "second"; i++)
        {
            await Task.Delay(100);
            seen = await client.GetStringAsync("/");
        }
        Assert.Equal("second", seen);
    }
}
