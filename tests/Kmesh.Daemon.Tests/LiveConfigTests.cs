using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>The config file is followed live; a bad edit never costs the last good config.</summary>
public sealed class LiveConfigTests
{
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(10);

    [KernelFact]
    public async Task EndpointAddedThenRemoved_IsSeenByTheNextConnects()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());

        await run.RewriteConfigAsync(TestMesh.Config("127.0.1.1", "127.0.1.2", "127.0.1.3", "127.0.1.4"));
        var added = await run.DialUntilAsync(TestMesh.ReviewsVip, 40, r => r.Count("reviews-d") > 0, ChangeTimeout);
        Assert.True(added.Count("reviews-d") > 0, $"the new endpoint never answered: {added}\n{run.Daemon.Log}");

        await run.RewriteConfigAsync(TestMesh.Config("127.0.1.1", "127.0.1.2"));
        var removed = await run.DialUntilAsync(TestMesh.ReviewsVip, 40, r => r.Count("reviews-c") + r.Count("reviews-d") == 0, ChangeTimeout);
        Assert.Equal(0, removed.Count("reviews-c") + removed.Count("reviews-d"));
        Assert.Equal(20, removed.Count("reviews-a"));
        Assert.Equal(20, removed.Count("reviews-b"));
    }

    [KernelFact]
    public async Task ConnectionsInFlight_SurviveAConfigChange()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());
        await run.Client.HoldAsync(TestMesh.ReviewsVip, TestMesh.Port, "held");

        await run.RewriteConfigAsync(TestMesh.Config("127.0.1.4"));
        await run.DialUntilAsync(TestMesh.ReviewsVip, 5, r => r.Count("reviews-d") == 5, ChangeTimeout);

        await run.Client.ReleaseAsync("held"); // throws if the held connection stopped echoing
    }

    [KernelFact]
    public async Task BrokenEdit_IsReportedWithFileAndLine_AndTheLastGoodConfigKeepsServing()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());
        var broken = TestMesh.Config().Replace("lb_policy: RANDOM", "lb_policy: SOMETIMES");
        var brokenLine = broken.Split('\n').ToList().FindIndex(l => l.Contains("SOMETIMES")) + 1;

        await run.RewriteConfigAsync(broken);
        var error = await run.Daemon.WaitForLineAsync("Config rejected", ChangeTimeout);

        Assert.Contains($"{Path.GetFileName(run.ConfigPath)}:{brokenLine}:", error);
        Assert.Contains("lb_policy", error);
        var result = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 30);
        Assert.Equal(30, result.Succeeded);
    }

    [KernelFact]
    public async Task ConfigThatDoesNotParseAtStart_StopsTheDaemonWithTheLocation()
    {
        await using var run = await MeshRun.StartAsync("static_resources:\n  listeners:\n  - name: x\n    adress: {}\n", waitReady: false);

        var exitCode = await run.Daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var line = await run.Daemon.WaitForLineAsync("could not start", TimeSpan.FromSeconds(1));

        Assert.Contains(":4:", line);
        Assert.Contains("adress", line);
        Assert.Equal(1, exitCode);
        Assert.False(Directory.Exists(run.Sandbox.PinPath));
    }

    [KernelFact]
    public async Task ServiceRemoved_ItsVipIsNoLongerRouted_AndItsEntriesAreGone()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());
        var skip = run.Daemon.Lines.Count;

        await run.RewriteConfigAsync(TestMesh.Config(reviewsService: false));
        var applied = await run.Daemon.WaitForLineAsync("Applied config", ChangeTimeout, skip);

        // One route and one cluster entry (its three-endpoint tables are in the entry, not in lb_schedule): 1 + 1.
        Assert.Contains("0 entries written, 2 removed", applied);
        var result = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 3);
        Assert.Equal(3, result.ErrorCount("ECONNREFUSED"));
        var others = await run.Client.DialAsync(TestMesh.ProductVip, TestMesh.Port, 4);
        Assert.Equal(4, others.Succeeded);
    }
}
