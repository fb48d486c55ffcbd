using Kmesh.Sdk.Testing;

namespace Kmesh.Sdk.Testing.Tests;

/// <summary>Failed connects are reported with the exact errno name the kernel gave.</summary>
public sealed class ErrnoTests
{
    [KernelFact]
    public async Task Dial_without_listener_reports_ECONNREFUSED()
    {
        await using var sandbox = await KernelSandbox.CreateAsync();
        await using var client = await sandbox.ClientAsync();

        var result = await client.DialAsync("127.0.0.9", 9, count: 3);

        Assert.True(result.ErrorCount("ECONNREFUSED") == 3, result.ToString());
        Assert.Equal(0, result.Succeeded);
        var peer = await Assert.ThrowsAsync<SandboxAgentException>(() => client.PeerAsync("::1", 9));
        Assert.Equal("ECONNREFUSED", peer.Errno);
    }

    [KernelFact]
    public async Task Dial_to_unrouted_ipv6_reports_ENETUNREACH()
    {
        // The netns has only lo, so nothing outside ::1 and its own addresses has a route.
        await using var sandbox = await KernelSandbox.CreateAsync(new() { Addresses = ["fd00:100::1"] });
        await using var client = await sandbox.ClientAsync();

        var result = await client.DialAsync("fd00:200::1", 80, count: 2);

        Assert.True(result.ErrorCount("ENETUNREACH") == 2, result.ToString());
        var hold = await Assert.ThrowsAsync<SandboxAgentException>(() => client.HoldAsync("fd00:200::1", 80, "x"));
        Assert.Equal("ENETUNREACH", hold.Errno);
    }
}
