using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Tests;

/// <summary>
/// A request body is kept (up to 64 KiB) when the route retries, so <c>retry_on: 5xx</c> sends a
/// POST again, whole; a body over the limit streams through and its 5xx reaches the client.
/// </summary>
public sealed class BufferedBodyRetryTests
{
    private const string RetryRoute = """
        {"match": {"prefix": "/"}, "route": {"cluster": "flaky", "retry_policy": {"retry_on": "5xx", "num_retries": 2}}}
        """;

    [Fact]
    public async Task PostWithABody_IsRetriedAfterA503_AndTheRetryCarriesTheWholeBody()
    {
        var seen = new List<string>();
        await using var flaky = await Backend.StartAsync("flaky", behaviour: async (number, context) =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            lock (seen)
                seen.Add(body);
            context.Response.StatusCode = number == 1 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            await context.Response.WriteAsync(number == 1 ? "down" : "got " + body.Length);
            return true;
        });
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("flaky", ["flaky"], RetryRoute), MeshJson.Cluster("flaky", flaky)));
        using var client = waypoint.Client("flaky");
        var payload = new string('x', 40_000) + "end";

        using var answer = await client.PostAsync("/orders", new StringContent(payload, Encoding.UTF8, "text/plain"));

        var text = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{answer.StatusCode}: {text} (backend saw {seen.Count} tries)");
        Assert.Equal("got " + payload.Length, text);
        Assert.Equal([payload, payload], seen);
    }

    [Fact]
    public async Task BodyOverTheLimit_StreamsAndIsNotRetried()
    {
        await using var flaky = await Backend.StartAsync("flaky", behaviour: async (number, context) =>
        {
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.StatusCode = number == 1 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
            return true;
        });
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("flaky", ["flaky"], RetryRoute), MeshJson.Cluster("flaky", flaky)));
        using var client = waypoint.Client("flaky");

        using var answer = await client.PostAsync("/upload", new ByteArrayContent(new byte[Proxy.RequestBodyBuffer.Limit + 1]));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer.StatusCode);
        Assert.Equal(1, flaky.Requests);
    }
}
