using System.Net;

namespace Kmesh.Waypoint.Tests;

/// <summary>
/// The ratelimit plugin's L7 part, loaded by the waypoint from the built plugin folder: Envoy's HTTP
/// local rate limit filter per request, from the connection manager's filter config or a route's or
/// virtual host's typed_per_filter_config. Buckets fill once an hour, so no refill happens in a test.
/// </summary>
public sealed class RateLimitTests
{
    private const string Type = "type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit";
    // The filter in the chain without a bucket of its own, as Istio writes it.
    private const string BucketlessFilter = "\"stat_prefix\": \"rl\"";

    [Fact]
    public async Task ABucketOfFiveLetsExactlyFiveOfTenRequestsThroughAndAnswersTheRest429()
    {
        await using var backend = await Backend.StartAsync("b");
        await using var waypoint = await StartAsync(backend, Filter(Limit(5)), """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}""");
        using var client = waypoint.Client("h");

        var passed = 0;
        for (var i = 0; i < 10; i++)
        {
            using var response = await client.GetAsync("/");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                passed++;
                continue;
            }
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            Assert.Equal("true", Header(response, "x-envoy-ratelimited"));
            Assert.Equal("local_rate_limited", await response.Content.ReadAsStringAsync());
        }

        Assert.Equal(5, passed);
        Assert.Equal(5, backend.Requests);
    }

    [Fact]
    public async Task ARouteWithoutALimitIsUnaffectedByTheLimitedRoute()
    {
        await using var backend = await Backend.StartAsync("b");
        // As Istio writes it: the filter in the chain without a bucket, the bucket on one route.
        await using var waypoint = await StartAsync(backend, Filter("\"stat_prefix\": \"http_local_rate_limiter\""),
            """{"match": {"prefix": "/limited"}, "route": {"cluster": "b"}, "typed_per_filter_config": {"envoy.filters.http.local_ratelimit": {"@type": "TYPE", LIMIT}}}""".Replace("TYPE", Type).Replace("LIMIT", Limit(2)),
            """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}""");
        using var client = waypoint.Client("h");

        var limited = await StatusesAsync(client, "/limited", 4);
        var free = await StatusesAsync(client, "/free", 6);

        Assert.Equal([200, 200, 429, 429], limited);
        Assert.All(free, s => Assert.Equal(200, s));
    }

    [Fact]
    public async Task ARouteOverrideHasItsOwnBucketAndTheOtherRoutesShareTheVirtualHosts()
    {
        await using var backend = await Backend.StartAsync("b");
        var routes = new[]
        {
            """{"match": {"prefix": "/own"}, "route": {"cluster": "b"}, "typed_per_filter_config": {"envoy.filters.http.local_ratelimit": {"@type": "TYPE", LIMIT}}}""".Replace("TYPE", Type).Replace("LIMIT", Limit(1)),
            """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}""",
        };
        var host = MeshJson.VirtualHost("h", ["h"], routes)
            .Replace("\"routes\":", "\"typed_per_filter_config\": {\"envoy.filters.http.local_ratelimit\": {\"@type\": \"" + Type + "\", " + Limit(3) + "}}, \"routes\":");
        var mesh = MeshJson.Mesh(host, MeshJson.Cluster("b", backend)).Replace("\"http_filters\": [", "\"http_filters\": [" + Filter(BucketlessFilter) + ",");
        await using var waypoint = await WaypointRun.StartAsync(mesh, options: o => o with { PluginDirectories = [RepoPlugins.Directory] });
        using var client = waypoint.Client("h");

        var a = await StatusesAsync(client, "/a", 2);
        var b = await StatusesAsync(client, "/b", 2);
        var own = await StatusesAsync(client, "/own", 2);

        // /a and /b draw on the virtual host's three tokens together; /own on its single one.
        Assert.Equal([200, 200], a);
        Assert.Equal([200, 429], b);
        Assert.Equal([200, 429], own);
    }

    [Fact]
    public async Task RateLimitHeadersAndConfiguredResponseHeadersAndStatusAreSent()
    {
        await using var backend = await Backend.StartAsync("b");
        var limit = Limit(2) + """, "status": {"code": 503}, "enable_x_ratelimit_headers": "DRAFT_VERSION_03", "response_headers_to_add": [{"header": {"key": "x-limited", "value": "yes"}}]""";
        await using var waypoint = await StartAsync(backend, Filter(limit), """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}""");
        using var client = waypoint.Client("h");

        using var first = await client.GetAsync("/");
        using var second = await client.GetAsync("/");
        using var third = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("2", Header(first, "x-ratelimit-limit"));
        Assert.Equal("1", Header(first, "x-ratelimit-remaining"));
        Assert.Equal("b", Header(first, "x-backend"));
        Assert.Equal("0", Header(second, "x-ratelimit-remaining"));
        Assert.Null(Header(second, "x-limited"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.StatusCode);
        Assert.Equal("yes", Header(third, "x-limited"));
        Assert.Equal("0", Header(third, "x-ratelimit-remaining"));
        var reset = int.Parse(Header(third, "x-ratelimit-reset")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(reset, 1, 3600);
    }

    [Fact]
    public async Task AGrpcCallOverTheLimitGetsATrailersOnlyUnavailable()
    {
        // h2c from the client, as gRPC comes; the backend behind it may speak HTTP/1.1 for this test.
        await using var backend = await Backend.StartAsync("b");
        await using var waypoint = await StartAsync(backend, Filter(Limit(1)), """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}""");
        using var client = waypoint.Client("h", HttpVersion.Version20);

        using var first = await client.SendAsync(GrpcCall());
        using var second = await client.SendAsync(GrpcCall());

        Assert.Null(Header(first, "grpc-status"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("14", Header(second, "grpc-status"));
        Assert.Equal("local_rate_limited", Header(second, "grpc-message"));
        Assert.Equal("true", Header(second, "x-envoy-ratelimited"));
        Assert.Equal(1, backend.Requests);

        static HttpRequestMessage GrpcCall() => new(HttpMethod.Post, "/pkg.Service/Method")
        {
            Version = HttpVersion.Version20,
            Content = new ByteArrayContent([0, 0, 0, 0, 0]) { Headers = { { "Content-Type", "application/grpc" } } },
        };
    }

    [Fact]
    public async Task ALimitNotEnforcedLetsRequestsThroughWithItsRequestHeaders()
    {
        await using var backend = await Backend.StartAsync("b");
        var limit = Limit(1, enforced: 0) + """, "request_headers_to_add_when_not_enforced": [{"header": {"key": "x-added", "value": "over-limit"}}]""";
        await using var waypoint = await StartAsync(backend, Filter(limit), """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}""");
        using var client = waypoint.Client("h");

        using var first = await client.GetAsync("/");
        using var second = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("", Header(first, "x-seen-added"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("over-limit", Header(second, "x-seen-added"));
    }

    [Fact]
    public async Task ABucketOutlivesAConfigChangeThatKeepsItsConfigAndAChangedConfigStartsFull()
    {
        await using var first = await Backend.StartAsync("first");
        await using var second = await Backend.StartAsync("second");
        string Mesh(string probeCluster, int tokens) => MeshJson.Mesh(
                MeshJson.VirtualHost("h", ["h"],
                    """{"match": {"prefix": "/probe"}, "route": {"cluster": "CLUSTER"}}""".Replace("CLUSTER", probeCluster),
                    """{"match": {"prefix": "/"}, "route": {"cluster": "first"}, "typed_per_filter_config": {"envoy.filters.http.local_ratelimit": {"@type": "TYPE", LIMIT}}}""".Replace("TYPE", Type).Replace("LIMIT", Limit(tokens))),
                MeshJson.Cluster("first", first), MeshJson.Cluster("second", second))
            .Replace("\"http_filters\": [", "\"http_filters\": [" + Filter(BucketlessFilter) + ",");
        await using var waypoint = await WaypointRun.StartAsync(Mesh("first", 2), options: o => o with { PluginDirectories = [RepoPlugins.Directory] });
        using var client = waypoint.Client("h");
        var drained = await StatusesAsync(client, "/limited", 3);
        Assert.Equal([200, 200, 429], drained);

        await ChangeAsync(waypoint, client, Mesh("second", 2), "second");
        var kept = await StatusesAsync(client, "/limited", 1);
        await ChangeAsync(waypoint, client, Mesh("first", 3), "first");
        var renewed = await StatusesAsync(client, "/limited", 4);

        Assert.Equal([429], kept);
        Assert.Equal([200, 200, 200, 429], renewed);
    }

    [Fact]
    public async Task FieldsItDoesNotHonourAreReportedByResourceAndFieldAndTheBucketStillApplies()
    {
        await using var backend = await Backend.StartAsync("b");
        var logs = new List<string>();
        // An entry without a value asks Envoy for a bucket per distinct value, which the waypoint does not keep.
        var limit = Limit(1) + """, "descriptors": [{"entries": [{"key": "client"}], "token_bucket": {"max_tokens": 9, "fill_interval": "60s"}}]""";
        var mesh = MeshJson.Mesh(MeshJson.VirtualHost("h", ["h"], """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}"""), MeshJson.Cluster("b", backend))
            .Replace("\"http_filters\": [", "\"http_filters\": [" + Filter(limit) + ",");
        await using var waypoint = await WaypointRun.StartAsync(mesh, logs, o => o with { PluginDirectories = [RepoPlugins.Directory] });
        using var client = waypoint.Client("h");

        var statuses = await StatusesAsync(client, "/", 2);

        Assert.Equal([200, 429], statuses);
        string[] lines;
        lock (logs)
            lines = [.. logs];
        Assert.Contains(lines, l => l.Contains("listener 0.0.0.0_", StringComparison.Ordinal)
            && l.Contains("filter_chains[0].filters[0].typed_config.http_filters[0].typed_config.descriptors[0]", StringComparison.Ordinal)
            && l.Contains("without a value", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DescriptorsMadeByTheRoutesRateLimitsHaveBucketsOfTheirOwn()
    {
        await using var backend = await Backend.StartAsync("b");
        // Istio's documented shape: descriptors in the filter config, actions on the route. The
        // default bucket is large and, with always_consume_default_token_bucket false, untouched by
        // requests a descriptor limits.
        var limit = Limit(100) + """
            , "always_consume_default_token_bucket": false,
            "descriptors": [
              {"entries": [{"key": "user", "value": "alice"}], "token_bucket": {"max_tokens": 2, "fill_interval": "3600s"}},
              {"entries": [{"key": "generic_key", "value": "all"}, {"key": "slow", "value": "yes"}], "token_bucket": {"max_tokens": 1, "fill_interval": "3600s"}}]
            """;
        await using var waypoint = await StartAsync(backend, Filter(limit),
            """
            {"match": {"prefix": "/"}, "route": {"cluster": "b", "rate_limits": [
              {"actions": [{"request_headers": {"header_name": "x-user", "descriptor_key": "user"}}]},
              {"actions": [{"generic_key": {"descriptor_value": "all"}},
                           {"header_value_match": {"descriptor_key": "slow", "descriptor_value": "yes", "headers": [{"name": "x-slow", "exact_match": "1"}]}}]}]}}
            """);
        using var client = waypoint.Client("h");

        async Task<int[]> AsAsync(string header, string value, int count)
        {
            var statuses = new int[count];
            for (var i = 0; i < count; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { { header, value } } };
                using var response = await client.SendAsync(request);
                statuses[i] = (int)response.StatusCode;
            }
            return statuses;
        }

        var alice = await AsAsync("x-user", "alice", 3);
        var bob = await AsAsync("x-user", "bob", 4);
        var slow = await AsAsync("x-slow", "1", 2);
        var notSlow = await AsAsync("x-slow", "0", 2);

        Assert.Equal([200, 200, 429], alice);
        Assert.Equal([200, 200, 200, 200], bob);
        Assert.Equal([200, 429], slow);
        Assert.Equal([200, 200], notSlow);
    }

    [Fact]
    public async Task ByDefaultARequestADescriptorLimitsTakesFromTheDefaultBucketTooAndTheHeadersDescribeTheDescriptor()
    {
        await using var backend = await Backend.StartAsync("b");
        var limit = Limit(3) + """
            , "enable_x_ratelimit_headers": "DRAFT_VERSION_03",
            "descriptors": [{"entries": [{"key": "masked_remote_address", "value": "127.0.0.0/8"}], "token_bucket": {"max_tokens": 5, "fill_interval": "3600s"}}]
            """;
        var host = MeshJson.VirtualHost("h", ["h"], """{"match": {"prefix": "/"}, "route": {"cluster": "b"}}""")
            .Replace("\"routes\":", "\"rate_limits\": [{\"actions\": [{\"masked_remote_address\": {\"v4_prefix_mask_len\": 8}}]}], \"routes\":");
        var mesh = MeshJson.Mesh(host, MeshJson.Cluster("b", backend)).Replace("\"http_filters\": [", "\"http_filters\": [" + Filter(limit) + ",");
        await using var waypoint = await WaypointRun.StartAsync(mesh, options: o => o with { PluginDirectories = [RepoPlugins.Directory] });
        using var client = waypoint.Client("h");

        var statuses = new List<int>();
        string? limitHeader = null, remaining = null;
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.GetAsync("/");
            statuses.Add((int)response.StatusCode);
            limitHeader = Header(response, "x-ratelimit-limit");
            remaining ??= Header(response, "x-ratelimit-remaining");
        }

        // The virtual host's action applies (the route has none); each request takes from the
        // descriptor's five and the default three, so the default runs out first.
        Assert.Equal([200, 200, 200, 429], statuses);
        Assert.Equal("5", limitHeader);
        Assert.Equal("4", remaining);
    }

    private static async Task ChangeAsync(WaypointRun waypoint, HttpClient client, string mesh, string probeAnswer)
    {
        await File.WriteAllTextAsync(waypoint.ConfigPath + ".new", mesh.Replace("{PORT}", waypoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        File.Move(waypoint.ConfigPath + ".new", waypoint.ConfigPath, overwrite: true);
        // The file source notices the rename; poll the unlimited route until the new config serves.
        var seen = "";
        for (var i = 0; i < 300 && seen != probeAnswer; i++)
        {
            await Task.Delay(100);
            seen = await client.GetStringAsync("/probe");
        }
        Assert.Equal(probeAnswer, seen);
    }

    private static async Task<int[]> StatusesAsync(HttpClient client, string path, int count)
    {
        var statuses = new int[count];
        for (var i = 0; i < count; i++)
        {
            using var response = await client.GetAsync(path);
            statuses[i] = (int)response.StatusCode;
        }
        return statuses;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values) ? string.Join(",", values) : null;

    /// <summary>A config's fields for a bucket of <paramref name="maxTokens"/> refilled hourly, enabled for every request and enforced for the given share.</summary>
    private static string Limit(int maxTokens, int enforced = 100) => """
        "stat_prefix": "rl", "token_bucket": {"max_tokens": MAX, "tokens_per_fill": MAX, "fill_interval": "3600s"},
        "filter_enabled": {"default_value": {"numerator": 100, "denominator": "HUNDRED"}},
        "filter_enforced": {"default_value": {"numerator": ENFORCED, "denominator": "HUNDRED"}}
        """.Replace("MAX", maxTokens.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("ENFORCED", enforced.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The filter in the connection manager's chain, with these config fields.</summary>
    private static string Filter(string fields) =>
        "{\"name\": \"envoy.filters.http.local_ratelimit\", \"typed_config\": {\"@type\": \"" + Type + "\", " + fields + "}}";

    private static Task<WaypointRun> StartAsync(Backend backend, string filter, params string[] routes)
    {
        var mesh = MeshJson.Mesh(MeshJson.VirtualHost("h", ["h"], routes), MeshJson.Cluster("b", backend))
            .Replace("\"http_filters\": [", "\"http_filters\": [" + filter + ",");
        return WaypointRun.StartAsync(mesh, options: o => o with { PluginDirectories = [RepoPlugins.Directory] });
    }
}
