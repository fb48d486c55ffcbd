using System.Net;
using Kmesh.Waypoint.Routing;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Tests;

/// <summary>Envoy's <c>%COMMAND%</c>s in added header values, through a running waypoint.</summary>
public sealed class HeaderFormatTests
{
    [Fact]
    public async Task CommandsInAddedHeadersAreFormattedPerRequestBothWays()
    {
        await using var backend = await Backend.StartAsync("b", behaviour: EchoAddedHeaders);
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("h", ["h"],
                """
                {"name": "formatted", "match": {"prefix": "/"}, "route": {"cluster": "b"},
                 "request_headers_to_add": [
                   {"header": {"key": "x-client", "value": "%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%"}},
                   {"header": {"key": "x-path", "value": "path=%REQ(:PATH)%"}},
                   {"header": {"key": "x-fallback", "value": "%REQ(x-missing?x-in):3%"}},
                   {"header": {"key": "x-literal", "value": "100%% sure"}},
                   {"header": {"key": "x-route", "value": "%ROUTE_NAME%/%UPSTREAM_CLUSTER%"}},
                   {"header": {"key": "x-start", "value": "%START_TIME(%s)%"}},
                   {"header": {"key": "x-upstream", "value": "%UPSTREAM_HOST%"}},
                   {"header": {"key": "x-dropped", "value": "%REQ(x-absent)%"}},
                   {"header": {"key": "x-kept", "value": "%REQ(x-absent)%"}, "keep_empty_value": true}],
                 "response_headers_to_add": [
                   {"header": {"key": "x-code", "value": "%RESPONSE_CODE% from %UPSTREAM_HOST%"}},
                   {"header": {"key": "x-echo", "value": "%RESP(x-backend)%+%REQ(x-in)%"}}]}
                """),
            MeshJson.Cluster("b", backend)));
        using var client = waypoint.Client("h");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/p?q=1") { Headers = { { "x-in", "abcdef" } } };
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        using var answer = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        string Seen(string name) => answer.Headers.TryGetValues("x-seen-" + name, out var values) ? values.Single() : "<absent>";
        Assert.Equal("127.0.0.1", Seen("x-client"));
        Assert.Equal("path=/p?q=1", Seen("x-path"));
        Assert.Equal("abc", Seen("x-fallback"));
        Assert.Equal("100% sure", Seen("x-literal"));
        Assert.Equal("formatted/b", Seen("x-route"));
        Assert.InRange(long.Parse(Seen("x-start"), System.Globalization.CultureInfo.InvariantCulture), before - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        // Envoy adds request headers before it picks the host: the upstream is not known yet.
        Assert.Equal("<absent>", Seen("x-upstream"));
        Assert.Equal("<absent>", Seen("x-dropped"));
        Assert.Equal("", Seen("x-kept"));
        Assert.Equal($"200 from 127.0.0.1:{backend.Port}", answer.Headers.GetValues("x-code").Single());
        Assert.Equal("b+abcdef", answer.Headers.GetValues("x-echo").Single());
    }

    [Fact]
    public async Task AResponseTheWaypointAnswersItselfFormatsItsOwnStatus()
    {
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("h", ["h"],
                """
                {"match": {"prefix": "/"}, "route": {"cluster": "nowhere"},
                 "response_headers_to_add": [{"header": {"key": "x-code", "value": "%RESPONSE_CODE%/%RESPONSE_FLAGS%"}}]}
                """)));
        using var client = waypoint.Client("h");

        using var answer = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Equal("503/NC", answer.Headers.GetValues("x-code").Single());
    }

    [Fact]
    public async Task AValueWithACommandTheWaypointCannotEvaluateLeavesItsRouteOutAndIsReportedByField()
    {
        await using var backend = await Backend.StartAsync("b");
        var logs = new List<string>();
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("h", ["h"],
                """
                {"match": {"prefix": "/meta"}, "route": {"cluster": "b"},
                 "request_headers_to_add": [{"header": {"key": "x-ok", "value": "fine"}},
                                            {"header": {"key": "x-meta", "value": "%DYNAMIC_METADATA(envoy.lb:canary)%"}}]}
                """,
                """{"match": {"prefix": "/"}, "direct_response": {"status": 200, "body": {"inline_string": "catch-all"}}}"""),
            MeshJson.Cluster("b", backend)), logs);
        using var client = waypoint.Client("h");

        Assert.Equal("catch-all", await client.GetStringAsync("/meta"));
        string[] lines;
        lock (logs)
            lines = [.. logs];
        Assert.Contains(lines, l => l.Contains("virtual_hosts[0].routes[0].request_headers_to_add[1].header.value", StringComparison.Ordinal)
            && l.Contains("DYNAMIC_METADATA", StringComparison.Ordinal)
            && l.Contains("left out", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("50%%", "50%")]
    [InlineData("%%REQ(x)%%", "%REQ(x)%")]
    public void ValuesWithoutCommandsAreLiteral(string value, string literal) =>
        Assert.Equal(literal, HeaderValueFormat.Parse(value, "f", "r").Literal);

    [Theory]
    [InlineData("50%", "never closed")]
    [InlineData("%NOT_A_COMMAND%", "does not evaluate")]
    [InlineData("%REQ(x):0%", "positive maximum length")]
    [InlineData("%REQ()%", "needs a header")]
    [InlineData("%START_TIME(%Q)%", "time format")]
    public void MalformedOrUnknownCommandsAreRefusedWithTheField(string value, string reason)
    {
        var error = Assert.Throws<UnsupportedRouteException>(() => HeaderValueFormat.Parse(value, "routes[0].request_headers_to_add[0].header.value", "r"));
        Assert.Equal("routes[0].request_headers_to_add[0].header.value", error.Field);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "2026-12-07T05:41:53.123Z")]
    [InlineData("%Y/%m/%d %H:%M:%S", "2026/12/07 05:41:53")]
    [InlineData("%s.%3f", "1796622113.123")]
    [InlineData("%E6S|%f|%j|%a %b %e|%%", "53.123456|123456700|341|Mon Dec  7|%")]
    public void StartTimeFollowsEnvoysFormat(string? format, string expected)
    {
        var start = new DateTimeOffset(2026, 12, 7, 5, 41, 53, TimeSpan.Zero).AddTicks(1_234_567);
        var parsed = format is null ? StartTimeFormat.Default : StartTimeFormat.TryParse(format, out var f) ? f : null;
        Assert.NotNull(parsed);
        Assert.Equal(expected, parsed.Format(start));
    }

    /// <summary>The backend tells every <c>x-</c> header it received back as <c>x-seen-NAME</c>.</summary>
    private static async Task<bool> EchoAddedHeaders(int _, HttpContext context)
    {
        foreach (var (name, value) in context.Request.Headers)
            if (name.StartsWith("x-", StringComparison.OrdinalIgnoreCase))
                context.Response.Headers["x-seen-" + name.ToLowerInvariant()] = value;
        context.Response.Headers["x-backend"] = "b";
        await context.Response.WriteAsync("b");
        return true;
    }
}
