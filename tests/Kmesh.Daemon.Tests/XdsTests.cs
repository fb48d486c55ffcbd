using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>The daemon follows a control plane over a real ADS stream on loopback, SotW and delta alike.</summary>
public sealed class XdsTests
{
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(15);

    [KernelTheory]
    [InlineData("sotw")]
    [InlineData("delta")]
    public async Task ServedMesh_ConnectsReachItsEndpoints_ThroughEdsAndRds(string mode)
    {
        await using var run = await XdsRun.StartAsync(XdsMesh.Config(), mode);

        var reviews = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 30);
        var web = await run.Client.DialAsync(XdsMesh.WebVip, TestMesh.Port, 30);
        var product = await run.Client.DialAsync(TestMesh.ProductVip, TestMesh.Port, 40);

        Assert.True(reviews.Count("reviews-a") == 10 && reviews.Count("reviews-b") == 10 && reviews.Count("reviews-c") == 10, $"{reviews}\n{run.Daemon.Log}");
        Assert.Equal(30, web.Count("random-a") + web.Count("random-b") + web.Count("random-c"));
        Assert.Equal(30, product.Count("product-big"));
        Assert.Contains(run.Server.Events.Nodes, n => n.StartsWith("sidecar~", StringComparison.Ordinal));
        Assert.Empty(run.Server.Events.Nacks);
    }

    [KernelTheory]
    [InlineData("sotw")]
    [InlineData("delta")]
    public async Task EdsChange_EndpointAddedMarkedUnhealthyRemoved_IsReflected(string mode)
    {
        await using var run = await XdsRun.StartAsync(XdsMesh.Config(), mode);

        await run.PublishAsync(XdsMesh.Config(["127.0.1.1", "127.0.1.2", "127.0.1.3", "127.0.1.4"]));
        var added = await run.DialUntilAsync(TestMesh.ReviewsVip, 40, r => r.Count("reviews-d") == 10, ChangeTimeout);
        Assert.True(added.Count("reviews-d") == 10, $"{added}\n{run.Daemon.Log}");
        // Issue 16: the server pushed one ClusterLoadAssignment (delta) or only EDS (SotW), and every plugin
        // of the chain translated only that endpoint set.
        Assert.Matches(@"changed 0 listeners, 0 clusters, 1 endpoint sets, 0 route configurations; (\d+) of \1 plugins translated only that", run.Daemon.Log);

        await run.PublishAsync(XdsMesh.Config(["127.0.1.1", "127.0.1.2", "127.0.1.3 UNHEALTHY", "127.0.1.4"]));
        var unhealthy = await run.DialUntilAsync(TestMesh.ReviewsVip, 30, r => r.Count("reviews-c") == 0, ChangeTimeout);
        Assert.True(unhealthy.Count("reviews-c") == 0 && unhealthy.Succeeded == 30, $"{unhealthy}\n{run.Daemon.Log}");

        await run.PublishAsync(XdsMesh.Config(["127.0.1.1", "127.0.1.2"]));
        await run.DialUntilAsync(TestMesh.ReviewsVip, 40, r => r.Count("reviews-d") == 0, ChangeTimeout);
        // A fresh batch: the one that saw the change may mix dials from before it.
        var removed = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 40);
        Assert.Equal(20, removed.Count("reviews-a"));
        Assert.Equal(20, removed.Count("reviews-b"));
    }

    [KernelFact]
    public async Task WeightedRouteChange_ShiftsTheSplit()
    {
        await using var run = await XdsRun.StartAsync(XdsMesh.Config(ratingsV1: 90));

        await run.PublishAsync(XdsMesh.Config(ratingsV1: 10));
        // After the change ratings-v2 has 90%: mean 900 of 1000, sd ~9.5.
        await run.DialUntilAsync(TestMesh.RatingsVip, 200, r => r.Count("ratings-v2") > 150, ChangeTimeout);
        var result = await run.Client.DialAsync(TestMesh.RatingsVip, TestMesh.Port, 1000);

        Assert.Equal(1000, result.Succeeded);
        Assert.InRange(result.Count("ratings-v2"), 850, 950);
    }

    [KernelTheory]
    [InlineData("sotw")]
    [InlineData("delta")]
    public async Task ResourceEnvoyRefuses_IsNackedWithTheReason_AndThePreviousConfigKeepsServing(string mode)
    {
        await using var run = await XdsRun.StartAsync(XdsMesh.Config(ratingsV1: 90), mode);
        var skip = run.Daemon.Lines.Count;

        // One LDS response: a bad address for reviews and a new split for ratings. Neither may apply.
        await run.PublishAsync(XdsMesh.Config(ratingsV1: 10, reviewsAddress: "not-an-ip"));
        var deadline = DateTime.UtcNow + ChangeTimeout;
        while (run.Server.Events.Nacks.Count == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50);

        var nack = Assert.Single(run.Server.Events.Nacks);
        Assert.Contains("listener reviews", nack);
        // Refused by Envoy's own check (validation, before any translator), as Envoy words it.
        Assert.Contains("malformed IP address: not-an-ip", nack);
        Assert.Contains("still serving version 1", nack);
        var logged = await run.Daemon.WaitForLineAsync("xDS NACK.*listener reviews", ChangeTimeout, skip);
        Assert.Contains("socket_address.address", logged);
        var reviews = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 30);
        Assert.Equal(30, reviews.Succeeded);
        var ratings = await run.Client.DialAsync(TestMesh.RatingsVip, TestMesh.Port, 1000);
        Assert.InRange(ratings.Count("ratings-v2"), 50, 150);

        // Fixed: the next push applies.
        await run.PublishAsync(XdsMesh.Config(ratingsV1: 10));
        await run.DialUntilAsync(TestMesh.RatingsVip, 200, r => r.Count("ratings-v2") > 150, ChangeTimeout);
        var fixedSplit = await run.Client.DialAsync(TestMesh.RatingsVip, TestMesh.Port, 1000);
        Assert.InRange(fixedSplit.Count("ratings-v2"), 850, 950);
    }

    [KernelFact]
    public async Task ResponseAMapCannotHold_IsNackedNamingTheMap_AndNothingOfItApplies()
    {
        // The default mesh's tables are all small enough for their clusters' records (lb_clusters):
        // lb_schedule holds none of them.
        await using var run = await XdsRun.StartAsync(XdsMesh.Config(), "sotw", ["--map-capacity", "loadbalance.lb_schedule=14"]);

        // Fifteen reviews endpoints (an EDS response): the IPv4 table still fits the record, the
        // IPv6 one (the same endpoints v4-mapped) does not and needs 15 lb_schedule entries.
        await run.PublishAsync(XdsMesh.Config(reviews: Enumerable.Range(1, 15).Select(i => $"127.0.1.{i}").ToArray()));
        var deadline = DateTime.UtcNow + ChangeTimeout;
        while (run.Server.Events.Nacks.Count == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50);

        var nack = Assert.Single(run.Server.Events.Nacks);
        Assert.Contains("plugin loadbalance", nack);
        Assert.Contains("map lb_schedule of plugin loadbalance holds at most 14 entries but the configuration needs 15", nack);
        // Nothing of the response applied: the old three endpoints, evenly, and no half-written schedule.
        var reviews = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 30);
        Assert.Equal(0, reviews.Count("reviews-d"));
        Assert.All(["reviews-a", "reviews-b", "reviews-c"], name => Assert.Equal(10, reviews.Count(name)));
    }

    [KernelTheory]
    [InlineData("sotw")]
    [InlineData("delta")]
    public async Task ServerRestartsMidStream_DaemonReconnectsAndResubscribes_ConnectsNeverFail(string mode)
    {
        await using var run = await XdsRun.StartAsync(XdsMesh.Config(), mode);
        using var stop = new CancellationTokenSource();
        var failures = new List<string>();
        var dialing = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var result = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 10);
                if (result.Failed > 0)
                    failures.Add(result.ToString());
                await Task.Delay(20);
            }
        });

        await run.RestartServerAsync(TimeSpan.FromSeconds(2));
        await run.Daemon.WaitForLineAsync("xDS stream to .* ended", ChangeTimeout);
        var deadline = DateTime.UtcNow + ChangeTimeout;
        while (run.Server.Events.Nodes.Count == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.NotEmpty(run.Server.Events.Nodes);
        // Re-subscribed: a change on the new server reaches the kernel.
        await run.PublishAsync(XdsMesh.Config(["127.0.1.4"]));
        var moved = await run.DialUntilAsync(TestMesh.ReviewsVip, 5, r => r.Count("reviews-d") == 5, ChangeTimeout);
        await stop.CancelAsync();
        await dialing;

        Assert.True(moved.Count("reviews-d") == 5, $"{moved}\n{run.Daemon.Log}");
        Assert.Empty(failures);
    }

    [KernelFact]
    public async Task SotwAndDelta_GiveTheSameKernelState()
    {
        Dictionary<string, string> sotw, delta;
        await using (var run = await XdsRun.StartAsync(XdsMesh.Config(), "sotw"))
            sotw = await KernelMaps.DumpAsync(run.Sandbox.PinPath);
        await using (var run = await XdsRun.StartAsync(XdsMesh.Config(), "delta"))
            delta = await KernelMaps.DumpAsync(run.Sandbox.PinPath);

        Assert.Contains("rt_routes", sotw.Keys);
        Assert.Contains("lb_schedule", sotw.Keys);
        Assert.NotEqual("", sotw["rt_routes"]);
        Assert.Equal(sotw.Keys.Order(), delta.Keys.Order());
        foreach (var (map, entries) in sotw)
            Assert.True(entries == delta[map], $"map {map} differs:\nsotw:  {entries}\ndelta: {delta[map]}");
    }
}
