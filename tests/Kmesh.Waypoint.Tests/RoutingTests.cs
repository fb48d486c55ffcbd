using System.Net;

namespace Kmesh.Waypoint.Tests;

/// <summary>Requests through a real waypoint to real backends on loopback: which route, which cluster, what the backend saw.</summary>
public sealed class RoutingTests
{
    [Fact]
    public async Task HeaderMatchedRouteGoesToItsClusterAndTheCatchAllToTheOther()
    {
        await using var stable = await Backend.StartAsync("stable");
        await using var canary = await Backend.StartAsync("canary");
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("reviews", ["reviews", "reviews:9080"],
                """{"match": {"prefix": "/", "headers": [{"name": "x-user", "string_match": {"exact": "jason"}}]}, "route": {"cluster": "canary"}}""",
                """{"match": {"prefix": "/"}, "route": {"cluster": "stable"}}"""),
            MeshJson.Cluster("stable", stable), MeshJson.Cluster("canary", canary)));
        using var client = waypoint.Client("reviews");

        using var plain = await client.GetAsync("/reviews/1");
        Assert.Equal("stable", await plain.Content.ReadAsStringAsync());
        using var jason = new HttpRequestMessage(HttpMethod.Get, "/reviews/1") { Headers = { { "x-user", "jason" } } };
        using var jasonAnswer = await client.SendAsync(jason);
        Assert.Equal("canary", await jasonAnswer.Content.ReadAsStringAsync());
        using var other = new HttpRequestMessage(HttpMethod.Get, "/reviews/1") { Headers = { { "x-user", "someone" } } };
        using var otherAnswer = await client.SendAsync(other);
        Assert.Equal("stable", await otherAnswer.Content.ReadAsStringAsync());
        // The client's authority reaches the backend unchanged, as through Envoy.
        Assert.Equal("reviews", plain.Headers.GetValues("x-seen-host").Single());
    }

    [Fact]
    public async Task PathPrefixRouteRewritesItsPrefixAndHost()
    {
        await using var api = await Backend.StartAsync("api");
        await using var web = await Backend.StartAsync("web");
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("shop", ["shop.example.com"],
                """{"match": {"prefix": "/api/"}, "route": {"cluster": "api", "prefix_rewrite": "/v2/", "host_rewrite_literal": "api.internal"}}""",
                """{"match": {"path": "/exact"}, "route": {"cluster": "api"}}""",
                """{"match": {"safe_regex": {"regex": "/items/[0-9]+"}}, "route": {"cluster": "api"}}""",
                """{"match": {"prefix": "/"}, "route": {"cluster": "web"}}"""),
            MeshJson.Cluster("api", api), MeshJson.Cluster("web", web)));
        using var client = waypoint.Client("shop.example.com");

        using var rewritten = await client.GetAsync("/api/orders?id=7");
        Assert.Equal("api", await rewritten.Content.ReadAsStringAsync());
        Assert.Equal("/v2/orders?id=7", rewritten.Headers.GetValues("x-seen-path").Single());
        Assert.Equal("api.internal", rewritten.Headers.GetValues("x-seen-host").Single());
        Assert.Equal("api", await client.GetStringAsync("/exact"));
        Assert.Equal("web", await client.GetStringAsync("/exact/more"));
        Assert.Equal("api", await client.GetStringAsync("/items/42"));
        Assert.Equal("web", await client.GetStringAsync("/items/42x"));
        Assert.Equal("web", await client.GetStringAsync("/apix"));
    }

    [Fact]
    public async Task VirtualHostIsChosenByAuthorityWithWildcardsAndUnknownHostsGet404()
    {
        await using var exact = await Backend.StartAsync("exact");
        await using var suffix = await Backend.StartAsync("suffix");
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("exact", ["api.example.com"], """{"match": {"prefix": "/"}, "route": {"cluster": "exact"}}""") + "," +
            MeshJson.VirtualHost("suffix", ["*.example.com"], """{"match": {"prefix": "/"}, "route": {"cluster": "suffix"}}"""),
            MeshJson.Cluster("exact", exact), MeshJson.Cluster("suffix", suffix)));

        using (var client = waypoint.Client("API.example.com"))
            Assert.Equal("exact", await client.GetStringAsync("/"));
        using (var client = waypoint.Client("www.example.com"))
            Assert.Equal("suffix", await client.GetStringAsync("/"));
        using (var client = waypoint.Client("example.org"))
        using (var answer = await client.GetAsync("/"))
            Assert.Equal(HttpStatusCode.NotFound, answer.StatusCode);
    }

    [Fact]
    public async Task WeightedClustersArePickedPerRequestWithinTolerance()
    {
        await using var v1 = await Backend.StartAsync("v1");
        await using var v2 = await Backend.StartAsync("v2");
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("reviews", ["reviews"],
                """{"match": {"prefix": "/"}, "route": {"weighted_clusters": {"clusters": [{"name": "v1", "weight": 80}, {"name": "v2", "weight": 20}]}}}"""),
            MeshJson.Cluster("v1", v1), MeshJson.Cluster("v2", v2)));
        using var client = waypoint.Client("reviews");

        const int requests = 1000;
        var toV2 = 0;
        for (var i = 0; i < requests; i++)
            if (await client.GetStringAsync("/") == "v2")
                toV2++;
        // Binomial(1000, 0.2): mean 200, sd 12.6; ±6 sd keeps a correct picker from ever failing here.
        Assert.InRange(toV2, 200 - 76, 200 + 76);
    }

    [Fact]
    public async Task HeaderEditsOfRouteVirtualHostAndConfigApplyBothWays()
    {
        await using var backend = await Backend.StartAsync("b");
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("h", ["h"],
                """
                {"match": {"prefix": "/"}, "route": {"cluster": "b"},
                 "request_headers_to_add": [{"header": {"key": "x-added", "value": "by-route"}}],
                 "request_headers_to_remove": ["x-remove-me"],
                 "response_headers_to_add": [{"header": {"key": "x-answer", "value": "edited"}}],
                 "response_headers_to_remove": ["x-remove-from-response"]}
                """),
            MeshJson.Cluster("b", backend)));
        using var client = waypoint.Client("h");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { "x-remove-me", "secret" } } };

        using var answer = await client.SendAsync(request);

        Assert.Equal("by-route", answer.Headers.GetValues("x-seen-added").Single());
        Assert.Equal("", answer.Headers.GetValues("x-seen-removed").Single());
        Assert.Equal("edited", answer.Headers.GetValues("x-answer").Single());
        Assert.False(answer.Headers.Contains("x-remove-from-response"));
    }

    [Fact]
    public async Task DirectResponseAndMissingClusterAnswerLikeEnvoy()
    {
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("h", ["h"],
                """{"match": {"prefix": "/teapot"}, "direct_response": {"status": 418, "body": {"inline_string": "short and stout"}}}""",
                """{"match": {"prefix": "/"}, "route": {"cluster": "nowhere"}}""")));
        using var client = waypoint.Client("h");

        using var teapot = await client.GetAsync("/teapot");
        Assert.Equal((HttpStatusCode)418, teapot.StatusCode);
        Assert.Equal("short and stout", await teapot.Content.ReadAsStringAsync());
        using var missing = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, missing.StatusCode);
    }
}


/// <summary>Several listeners on one port: the kernel keeps the port, the authority names the VIP.</summary>
public sealed class SharedPortTests
{
    [Fact]
    public async Task ListenersBoundToVipsOnOnePortAreToldApartByTheAuthorityAndTheWildcardTakesTheRest()
    {
        await using var first = await Backend.StartAsync("first");
        await using var second = await Backend.StartAsync("second");
        await using var wildcard = await Backend.StartAsync("wildcard");
        static string CatchAllTo(string cluster) =>
            MeshJson.VirtualHost("any", ["*"], """{"match": {"prefix": "/"}, "route": {"cluster": "CLUSTER"} }""".Replace("CLUSTER", cluster));
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Resources(
            [MeshJson.Listener("127.10.0.1", CatchAllTo("first")), MeshJson.Listener("127.10.0.2", CatchAllTo("second")), MeshJson.Listener("0.0.0.0", CatchAllTo("wildcard"))],
            MeshJson.Cluster("first", first), MeshJson.Cluster("second", second), MeshJson.Cluster("wildcard", wildcard)));

        using (var client = waypoint.Client($"127.10.0.1:{waypoint.Port}"))
            Assert.Equal("first", await client.GetStringAsync("/"));
        using (var client = waypoint.Client("127.10.0.2"))
            Assert.Equal("second", await client.GetStringAsync("/"));
        using (var client = waypoint.Client("shop.example.com"))
            Assert.Equal("wildcard", await client.GetStringAsync("/"));
    }
}
