using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>Map capacity limits and DNS-resolved clusters, end to end.</summary>
public sealed class CapacityAndDnsTests
{
    [KernelFact]
    public async Task ConfigLargerThanAMap_IsAnErrorNamingTheMap_NeverATruncation()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--map-capacity", "routing.rt_routes=2"], waitReady: false);

        var error = await run.Daemon.WaitForLineAsync("Plugin routing kept its previous state", TimeSpan.FromSeconds(30));

        Assert.Contains("map rt_routes of plugin routing holds at most 2 entries but the configuration needs 6", error);
        Assert.Contains("--map-capacity routing.rt_routes=8", error);
        // No service was half-routed: routing holds nothing, so every VIP passes through untouched.
        var result = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 3);
        Assert.Equal(3, result.ErrorCount("ECONNREFUSED"));
        // A node that cannot hold its configuration is not ready, and says why.
        var (status, body) = await Admin.GetAsync(run.Daemon, "/ready");
        Assert.Equal(503, status);
        Assert.Contains("plugin routing does not hold the configuration in force", body);
        Assert.DoesNotMatch(@"\bready\b", run.Daemon.Log);
    }

    [KernelFact]
    public async Task StrictDnsCluster_IsResolvedByTheDaemon()
    {
        var backend = new BackendSpec("dns-backend", "127.0.0.1", TestMesh.DnsPort);
        await using var run = await MeshRun.StartAsync(TestMesh.DnsConfig(), extraBackends: [backend]);

        var result = await run.Client.DialAsync(TestMesh.DnsVip, TestMesh.Port, 5);

        Assert.Equal(5, result.Count("dns-backend"));
    }

    [KernelFact]
    public async Task DnsNameThatDoesNotResolve_LeavesTheClusterEmpty_AndIsReported()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.DnsConfig("no-such-host.invalid"));

        var warning = await run.Daemon.WaitForLineAsync("DNS: no-such-host.invalid", TimeSpan.FromSeconds(10));
        var result = await run.Client.DialAsync(TestMesh.DnsVip, TestMesh.Port, 2);

        Assert.NotNull(warning);
        Assert.Equal(2, result.ErrorCount("EHOSTUNREACH"));
    }
}
