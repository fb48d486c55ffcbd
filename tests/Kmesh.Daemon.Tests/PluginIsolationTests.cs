using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>A plugin that fails is left out and reported; the rest of the chain keeps serving.</summary>
public sealed class PluginIsolationTests
{
    private static string[] Chain(string plugins, params string[] extra) =>
        ["--plugin-dir", RepoPaths.TestPlugins, "--plugins", plugins, .. extra];

    [KernelFact]
    public async Task ObjectTheVerifierRejects_IsLeftOutWithTheVerifierLog()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), Chain("routing,rejected,loadbalance"));

        var error = await run.Daemon.WaitForLineAsync("Plugin rejected is left out", TimeSpan.FromSeconds(5));
        Assert.Contains("verifier log", run.Daemon.Log);
        Assert.Contains("invalid mem access", run.Daemon.Log);
        Assert.DoesNotContain("rejected", await run.Daemon.WaitReadyAsync());
        var result = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 30);
        Assert.Equal(10, result.Count("reviews-a"));
        Assert.NotNull(error);
    }

    [KernelFact]
    public async Task ObjectBuiltForAnotherAbiMajor_IsRefusedNamingBothVersions()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), Chain("routing,futureabi,loadbalance"));

        var error = await run.Daemon.WaitForLineAsync("Plugin futureabi is left out", TimeSpan.FromSeconds(5));

        Assert.Contains("ABI 2.0", error);
        Assert.Contains("this core speaks ABI 1.", error);
        var result = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 3);
        Assert.Equal(3, result.Succeeded);
    }

    [KernelFact]
    public async Task TranslatorThatThrows_IsIsolated_AndItsProgramStillPassesConnectsOn_ButTheNodeIsNotReady()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), Chain("routing,throwing,loadbalance"), waitReady: false);

        var error = await run.Daemon.WaitForLineAsync("Plugin throwing kept its previous state", TimeSpan.FromSeconds(30));

        Assert.Contains("fixture translator failure", error);
        var result = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 30);
        Assert.Equal(10, result.Count("reviews-c"));
        // Serving, but not its whole configuration: a rollout must not take this node for healthy.
        var (status, body) = await Admin.GetAsync(run.Daemon, "/ready");
        Assert.Equal(503, status);
        Assert.Contains("not ready: plugin throwing does not hold the configuration in force: translator threw", body);
        Assert.Contains("Node unready", run.Daemon.Log);
        Assert.DoesNotMatch(@"\bready\b", run.Daemon.Log);
    }

    [KernelFact]
    public async Task ChainWithoutLoadBalancing_FailsOpenByDefault()
    {
        var vipItself = new BackendSpec("vip-itself", TestMesh.ReviewsVip, TestMesh.Port);
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--plugins", "routing"], extraBackends: [vipItself]);

        var result = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 5);

        Assert.Equal(5, result.Count("vip-itself"));
    }

    [KernelFact]
    public async Task ChainWithoutLoadBalancing_FailClosed_RefusesServiceConnects()
    {
        var vipItself = new BackendSpec("vip-itself", TestMesh.ReviewsVip, TestMesh.Port);
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--plugins", "routing", "--fail-closed"], extraBackends: [vipItself]);

        var service = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 5);
        var other = await run.Client.DialAsync(TestMesh.Direct.Address, TestMesh.Direct.Port, 5);

        Assert.Equal(5, service.ErrorCount("ECONNREFUSED"));
        Assert.Equal(5, other.Count("direct"));
    }

    [KernelFact]
    public async Task ChainOrderTheManifestsForbid_IsRefusedAtStartWithTheReason()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--plugins", "loadbalance,routing"], waitReady: false);

        var exitCode = await run.Daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode);
        Assert.Contains("loadbalance must run after routing, but routing comes after it", run.Daemon.Log);
        Assert.False(Directory.Exists(run.Sandbox.PinPath), "nothing may reach the kernel");
    }
}
