using System.Net;

namespace Kmesh.Waypoint.Tests;

/// <summary>Path rewrites (proxied and redirected), runtime_fraction routes and request mirroring, through a running waypoint.</summary>
public sealed class RouteRewriteTests
{
    [Fact]
    public async Task ARegexRewriteWithGroupsReshapesThePathAsEnvoysExampleSays()
    {
        await using var backend = await Backend.StartAsync("b");
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("h", ["h"],
                """{"match": {"prefix": "/service/"}, "route": {"cluster": "b", "regex_rewrite": {"pattern": {"regex": "^/service/([^/]+)(/.*)$"}, "substitution": "\\2/instance/\\1"}}}"""),
            MeshJson.Cluster("b", backend)));
        using var client = waypoint.Client("h");

        using var answer = await client.GetAsync("/service/foo/v1/api?q=1");

        Assert.Equal("/v1/api/instance/foo?q=1", answer.Headers.GetValues("x-seen-path").Single());
    }

    [Fact]
    public async Task ARedirectRewritesThePathByPrefixOrRegexAndKeepsTheQuery()
    {
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("h", ["h"],
                """{"match": {"prefix": "/old/"}, "redirect": {"prefix_rewrite": "/new/"}}""",
                """{"match": {"prefix": "/items/"}, "redirect": {"regex_rewrite": {"pattern": {"regex": "^/items/([0-9]+)$"}, "substitution": "/catalog/\\1/$"}, "response_code": "FOUND"}}""")));
        using var client = waypoint.Client("h");

        using var byPrefix = await client.GetAsync("/old/page?x=1");
        using var byRegex = await client.GetAsync("/items/42");

        Assert.Equal(HttpStatusCode.MovedPermanently, byPrefix.StatusCode);
        Assert.Equal("http://h/new/page?x=1", byPrefix.Headers.Location?.OriginalString);
        Assert.Equal(HttpStatusCode.Found, byRegex.StatusCode);
        // RE2's substitution: \1 is the group, '$' is a plain character.
        Assert.Equal("http://h/catalog/42/$", byRegex.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task RuntimeFractionRoutesThatShareOfRequestsAndEveryRouteReadsTheSameDraw()
    {
        await using var a = await Backend.StartAsync("a");
        await using var b = await Backend.StartAsync("b");
        await using var c = await Backend.StartAsync("c");
        // Two routes of 30% and 30%: Envoy draws once per request, so the second never takes what
        // the first left (a draw below 30 has already gone to the first): 30% a, 0% b, 70% c.
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("h", ["h"],
                """{"match": {"prefix": "/", "runtime_fraction": {"default_value": {"numerator": 30}, "runtime_key": "routing.a"}}, "route": {"cluster": "a"}}""",
                """{"match": {"prefix": "/", "runtime_fraction": {"default_value": {"numerator": 30, "denominator": "HUNDRED"}}}, "route": {"cluster": "b"}}""",
                """{"match": {"prefix": "/"}, "route": {"cluster": "c"}}"""),
            MeshJson.Cluster("a", a), MeshJson.Cluster("b", b), MeshJson.Cluster("c", c)));
        using var client = waypoint.Client("h");

        const int requests = 1000;
        var seen = new Dictionary<string, int> { ["a"] = 0, ["b"] = 0, ["c"] = 0 };
        for (var i = 0; i < requests; i++)
            seen[await client.GetStringAsync("/")]++;

        // Binomial(1000, 0.3): mean 300, sd 14.5; ±6 sd keeps a correct router from ever failing here.
        Assert.InRange(seen["a"], 300 - 87, 300 + 87);
        Assert.Equal(0, seen["b"]);
        Assert.Equal(requests - seen["a"], seen["c"]);
    }

    [Fact]
    public async Task AMirroredRequestIsCopiedToTheMirrorClusterWithAShadowAuthorityAndItsBody()
    {
        var copies = new System.Collections.Concurrent.ConcurrentQueue<(string Host, string Method, string Path, string Body, string Added)>();
        await using var main = await Backend.StartAsync("main");
        await using var shadow = await Backend.StartAsync("shadow", behaviour: async (_, context) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            copies.Enqueue((context.Request.Host.Value ?? "", context.Request.Method, context.Request.Path + context.Request.QueryString,
                await reader.ReadToEndAsync(), context.Request.Headers["x-added"].ToString()));
            // A slow, failing mirror must change nothing for the client.
            await Task.Delay(200);
            context.Response.StatusCode = 500;
            return true;
        });
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("h", ["h:8080"],
                """
                {"match": {"prefix": "/api/"}, "route": {"cluster": "main", "prefix_rewrite": "/v2/",
                   "request_mirror_policies": [{"cluster": "shadow"}, {"cluster": "shadow", "runtime_fraction": {"default_value": {"numerator": 0}}}]},
                 "request_headers_to_add": [{"header": {"key": "x-added", "value": "by-route"}}]}
                """),
            MeshJson.Cluster("main", main), MeshJson.Cluster("shadow", shadow)));
        using var client = waypoint.Client("h:8080");

        using var get = await client.GetAsync("/api/items?q=1");
        using var post = await client.PostAsync("/api/orders", new StringContent("{\"n\": 1}"));

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal("main", await get.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, post.StatusCode);
        for (var i = 0; i < 100 && copies.Count < 2; i++)
            await Task.Delay(50);
        await Task.Delay(200); // a third copy (the 0% policy) would have arrived by now
        var seen = copies.OrderBy(c => c.Method).ToArray();
        Assert.Equal(2, seen.Length);
        Assert.Equal(("h-shadow:8080", "GET", "/v2/items?q=1", "", "by-route"), seen[0]);
        Assert.Equal(("h-shadow:8080", "POST", "/v2/orders", "{\"n\": 1}", "by-route"), seen[1]);
        Assert.Equal(2, main.Requests);
    }

    [Fact]
    public async Task TheUpstreamAuthorityComesFromAHeaderOrThePathWhenTheRouteSaysSo()
    {
        await using var backend = await Backend.StartAsync("b");
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("h", ["h"],
                """{"match": {"prefix": "/by-header"}, "route": {"cluster": "b", "host_rewrite_header": "x-target-host"}}""",
                """{"match": {"prefix": "/tenants/"}, "route": {"cluster": "b", "host_rewrite_path_regex": {"pattern": {"regex": "^/tenants/([^/]+)/.*$"}, "substitution": "\\1.internal"}}}""",
                """{"match": {"prefix": "/gone"}, "route": {"cluster": "no-such-cluster", "cluster_not_found_response_code": "NOT_FOUND"}}"""),
            MeshJson.Cluster("b", backend)));
        using var client = waypoint.Client("h");

        using var withHeader = new HttpRequestMessage(HttpMethod.Get, "/by-header") { Headers = { { "x-target-host", "api.internal" } } };
        using var byHeader = await client.SendAsync(withHeader);
        using var headerAbsent = await client.GetAsync("/by-header");
        using var byPath = await client.GetAsync("/tenants/acme/orders?x=1");
        using var gone = await client.GetAsync("/gone");

        Assert.Equal("api.internal", byHeader.Headers.GetValues("x-seen-host").Single());
        Assert.Equal("h", headerAbsent.Headers.GetValues("x-seen-host").Single());
        Assert.Equal("acme.internal", byPath.Headers.GetValues("x-seen-host").Single());
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }
}
