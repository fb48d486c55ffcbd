using System.Net;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Waypoint.Tests;

/// <summary>A route's retry_policy, per_try_timeout and timeout, against backends that fail on purpose.</summary>
public sealed class RetryAndTimeoutTests
{
    private const string RetryRoute = """
        {"match": {"prefix": "/"}, "route": {"cluster": "flaky", "retry_policy": {"retry_on": "5xx", "num_retries": 3}}}
        """;

    [Fact]
    public async Task EveryRequestSucceedsWhenRetriesCoverABackendFailingEveryOtherRequest()
    {
        await using var flaky = await Backend.StartAsync("flaky", behaviour: EveryOtherIs503);
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("flaky", ["flaky"], RetryRoute), MeshJson.Cluster("flaky", flaky)));
        using var client = waypoint.Client("flaky");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            using var answer = await client.GetAsync("/");
            statuses.Add(answer.StatusCode);
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
        Assert.True(flaky.Requests > 40, "the backend saw the retried tries too");
    }

    [Fact]
    public async Task EachTryTellsItsNumberUpstreamAndTheAnswerTellsTheClientWhenTheVirtualHostAsks()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var flaky = await Backend.StartAsync("flaky", behaviour: async (number, context) =>
        {
            seen.Enqueue(context.Request.Headers["x-envoy-attempt-count"].ToString());
            return await EveryOtherIs503(number, context);
        });
        var host = MeshJson.VirtualHost("flaky", ["flaky"], RetryRoute)
            .Replace("\"routes\":", "\"include_request_attempt_count\": true, \"include_attempt_count_in_response\": true, \"routes\":");
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(host, MeshJson.Cluster("flaky", flaky)));
        using var client = waypoint.Client("flaky");

        using var answer = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal(["1", "2"], seen);
        Assert.Equal("2", answer.Headers.GetValues("x-envoy-attempt-count").Single());
    }

    [Fact]
    public async Task WithoutARetryPolicyTheBackendsFailuresReachTheClient()
    {
        await using var flaky = await Backend.StartAsync("flaky", behaviour: EveryOtherIs503);
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("flaky", ["flaky"], """{"match": {"prefix": "/"}, "route": {"cluster": "flaky"}}"""),
            MeshJson.Cluster("flaky", flaky)));
        using var client = waypoint.Client("flaky");

        var failures = 0;
        for (var i = 0; i < 10; i++)
        {
            using var answer = await client.GetAsync("/");
            failures += answer.StatusCode == HttpStatusCode.ServiceUnavailable ? 1 : 0;
        }

        Assert.Equal(5, failures);
    }

    [Fact]
    public async Task ATryThatOutlivesItsPerTryTimeoutIsRetried()
    {
        // Odd requests hang for longer than any test runs; even ones answer at once.
        await using var slow = await Backend.StartAsync("slow", behaviour: async (n, context) =>
        {
            if (n % 2 == 1)
                await Task.Delay(TimeSpan.FromSeconds(60), context.RequestAborted).ContinueWith(_ => { });
            return n % 2 == 1;
        });
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("slow", ["slow"],
                """{"match": {"prefix": "/"}, "route": {"cluster": "slow", "retry_policy": {"retry_on": "5xx", "num_retries": 2, "per_try_timeout": "0.3s"}}}"""),
            MeshJson.Cluster("slow", slow)));
        using var client = waypoint.Client("slow");

        for (var i = 0; i < 5; i++)
        {
            using var answer = await client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }
    }

    [Fact]
    public async Task TheRouteTimeoutAnswers504UpstreamRequestTimeout()
    {
        await using var stuck = await Backend.StartAsync("stuck", behaviour: async (_, context) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(60), context.RequestAborted).ContinueWith(_ => { });
            return true;
        });
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("stuck", ["stuck"], """{"match": {"prefix": "/"}, "route": {"cluster": "stuck", "timeout": "0.3s"}}"""),
            MeshJson.Cluster("stuck", stuck)));
        using var client = waypoint.Client("stuck");

        using var answer = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.GatewayTimeout, answer.StatusCode);
        Assert.Equal("upstream request timeout", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AFailedConnectIsRetriedOnAnotherEndpoint()
    {
        await using var alive = await Backend.StartAsync("alive");
        var closedPort = ClosedPort();
        await using var waypoint = await WaypointRun.StartAsync(MeshJson.Mesh(
            MeshJson.VirtualHost("mixed", ["mixed"],
                """{"match": {"prefix": "/"}, "route": {"cluster": "mixed", "retry_policy": {"retry_on": "connect-failure", "num_retries": 5}}}"""),
            MeshJson.Cluster("mixed", [(alive.Port, 1), (closedPort, 1)])));
        using var client = waypoint.Client("mixed");

        for (var i = 0; i < 10; i++)
        {
            using var answer = await client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }
    }

    private static async Task<bool> EveryOtherIs503(int number, HttpContext context)
    {
        if (number % 2 == 0)
            return false;
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        await context.Response.WriteAsync("overloaded");
        return true;
    }

    /// <summary>A loopback port nothing listens on (bound, then released).</summary>
    private static int ClosedPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
