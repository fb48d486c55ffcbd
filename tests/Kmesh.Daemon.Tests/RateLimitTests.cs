using System.Diagnostics;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>A network local_ratelimit is a token bucket over real connects; over the limit connect() fails with ENOBUFS.</summary>
[Collection(GovernanceCollection.Name)]
public sealed class RateLimitTests
{
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Rewrites the config and waits until the daemon says it applied it (maps written).</summary>
    private static async Task ApplyAsync(MeshRun run, string config)
    {
        var skip = run.Daemon.Lines.Count;
        await run.RewriteConfigAsync(config);
        await run.Daemon.WaitForLineAsync("Applied config", ChangeTimeout, skip);
    }

    [KernelFact]
    public async Task TenTokensFivePerSecond_BurstOfThirtyGetsTen_ThenAboutFiveMoreAfterOneSecond()
    {
        await using var run = await GovernanceMesh.StartAsync();

        var clock = Stopwatch.StartNew();
        var burst = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 30);
        var burstTook = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(Math.Max(0, 1.2 - burstTook.TotalSeconds)));
        var later = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 30);
        var tookInAll = clock.Elapsed;

        Assert.True(burstTook < TimeSpan.FromSeconds(1), $"the burst took {burstTook}: too slow to test a 1 s refill");
        Assert.Equal(10, burst.Count("limited-a"));
        Assert.Equal(20, burst.ErrorCount("ENOBUFS"));
        // The first connect started the bucket; one fill tick (5 tokens) has passed since, two if the dials were slow.
        if (tookInAll < TimeSpan.FromSeconds(2))
            Assert.Equal(5, later.Count("limited-a"));
        else
            Assert.InRange(later.Count("limited-a"), 5, 10);
        Assert.Equal(30, later.Succeeded + later.ErrorCount("ENOBUFS"));
        var stop = await GovernanceMesh.StopAsync(run);
        Assert.Equal((ulong)(burst.Failed + later.Failed), GovernanceMesh.Count(stop, "RateLimited"));
    }

    [KernelFact]
    public async Task ConcurrentConnectsFromThreeClients_NeverMoreThanTheBucketHolds()
    {
        // No refill within the test: exactly max_tokens connects may pass, whatever the interleaving across CPUs.
        await using var run = await GovernanceMesh.StartAsync(GovernanceMesh.Config(maxTokens: 25, tokensPerFill: 1, fillInterval: "3600s"));
        await using var second = await run.Sandbox.ClientAsync();
        await using var third = await run.Sandbox.ClientAsync();

        var results = await Task.WhenAll(
            run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 40),
            second.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 40),
            third.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 40));

        Assert.Equal(25, results.Sum(r => r.Count("limited-a")));
        Assert.Equal(95, results.Sum(r => r.ErrorCount("ENOBUFS")));
    }

    [KernelFact]
    public async Task UnchangedBucketSurvivesAConfigChange_ChangedBucketStartsOverFull()
    {
        await using var run = await GovernanceMesh.StartAsync(GovernanceMesh.Config(maxTokens: 10, tokensPerFill: 1, fillInterval: "3600s"));
        var spent = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 10);

        // Another service changes: the limited service's config entry is rewritten by nobody.
        await ApplyAsync(run, GovernanceMesh.Config(maxTokens: 10, tokensPerFill: 1, fillInterval: "3600s", plainEndpoint: "127.0.5.1"));
        var moved = await run.Client.DialAsync(GovernanceMesh.PlainVip, GovernanceMesh.Port, 1);
        var stillEmpty = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 5);

        await ApplyAsync(run, GovernanceMesh.Config(maxTokens: 3, tokensPerFill: 1, fillInterval: "3600s"));
        var restarted = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 5);

        Assert.Equal(10, spent.Count("limited-a"));
        Assert.Equal(1, moved.Count("faulty-a"));
        Assert.Equal(5, stillEmpty.ErrorCount("ENOBUFS"));
        Assert.Equal(3, restarted.Count("limited-a"));
        Assert.Equal(2, restarted.ErrorCount("ENOBUFS"));
    }

    [KernelFact]
    public async Task ZeroMaxTokens_IsRejectedNamingTheField_AndTheOtherServicesKeepWorking()
    {
        await using var run = await GovernanceMesh.StartAsync(GovernanceMesh.Config(maxTokens: 0));

        var error = await run.Daemon.WaitForLineAsync("max_tokens", TimeSpan.FromSeconds(5));
        var limited = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 20);
        var faulty = await run.Client.DialAsync(GovernanceMesh.FaultyVip, GovernanceMesh.Port, 100);

        Assert.Contains("listener limited", error);
        Assert.Equal(20, limited.Count("limited-a"));
        Assert.InRange(faulty.ErrorCount("ECONNREFUSED"), 5, 60);
    }
}
