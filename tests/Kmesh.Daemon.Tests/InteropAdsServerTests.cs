using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// The daemon's ADS client against an ADS server Kmesh did not write (node, @grpc/grpc-js, Envoy's
/// protos from @grpc/grpc-js-xds), SotW and delta: the first config routes connects, a new version
/// applies, an invalid one is NACKed (the server receives the error_detail) while connects keep
/// working, and after a server restart the daemon reconnects and follows the next version.
/// </summary>
public sealed class InteropAdsServerTests
{
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(20);

    [KernelTheory]
    [InlineData("sotw")]
    [InlineData("delta")]
    public async Task DaemonFollowsAnIndependentAdsServer_ThroughVersions_ANack_AndARestart(string mode)
    {
        await using var sandbox = await KernelSandbox.CreateAsync(new SandboxOptions { Addresses = TestMesh.SandboxAddresses });
        await sandbox.StartBackendsAsync(TestMesh.Backends);
        var directory = Directory.CreateTempSubdirectory("kmesh-node-ads-").FullName;
        try
        {
            await using var server = await NodeAdsServer.StartAsync(directory, XdsMesh.Config(), "v1");
            await using var daemon = DaemonProcess.Start(RepoPaths.DaemonDll,
            [
                "--xds", $"127.0.0.1:{server.Port}", "--xds-mode", mode,
                "--cgroup", sandbox.CgroupPath, "--bpffs", sandbox.PinPath, "--plugin-dir", RepoPaths.Plugins,
            ]);
            await daemon.WaitReadyAsync();
            await using var client = await sandbox.ClientAsync();

            // v1: routed through EDS and RDS from the node server.
            var reviews = await client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 30);
            Assert.True(reviews.Count("reviews-a") == 10 && reviews.Count("reviews-b") == 10 && reviews.Count("reviews-c") == 10, $"{reviews}\n{daemon.Log}\n{server.Log}");
            var web = await client.DialAsync(XdsMesh.WebVip, TestMesh.Port, 30);
            Assert.Equal(30, web.Count("random-a") + web.Count("random-b") + web.Count("random-c"));
            Assert.Contains(server.Events, e => (string?)e["event"] == "stream" && ((string?)e["node"])!.StartsWith("sidecar~", StringComparison.Ordinal));
            Assert.Contains(server.Events, e => (string?)e["event"] == "ack" && (string?)e["version"] == "v1");
            Assert.Empty(server.Nacks);

            // v2: applied.
            await server.PushAsync(XdsMesh.Config(["127.0.1.4"]), "v2");
            var moved = await client.DialUntilAsync(TestMesh.ReviewsVip, 10, r => r.Count("reviews-d") == 10, ChangeTimeout);
            Assert.True(moved.Count("reviews-d") == 10, $"{moved}\n{daemon.Log}");

            // v3 is invalid: the server receives a NACK whose error_detail names the field; v2 keeps serving.
            var skip = server.Events.Count;
            await server.PushAsync(XdsMesh.Config(["999.0.0.1"]), "v3");
            var nack = await server.WaitForAsync(e => (string?)e["event"] == "nack", ChangeTimeout, skip);
            Assert.Contains("malformed IP address: 999.0.0.1", (string?)nack["detail"]);
            Assert.Contains("cluster load assignment reviews", (string?)nack["detail"]);
            Assert.Equal(3, (int)nack["code"]!);
            if (mode == "sotw")
                Assert.Equal("v2", (string?)nack["version"]); // the last accepted version
            var still = await client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 10);
            Assert.True(still.Count("reviews-d") == 10, $"{still}\n{daemon.Log}");

            // Restart: every stream dropped; the daemon reconnects and follows v4.
            var streams = server.Events.Count(e => (string?)e["event"] == "stream");
            await server.RestartAsync();
            await daemon.WaitForLineAsync("xDS stream to .* ended", ChangeTimeout);
            await server.WaitForAsync(e => (string?)e["event"] == "stream", ChangeTimeout, skip: IndexOfNth(server, "stream", streams));
            await server.PushAsync(XdsMesh.Config(["127.0.1.2"]), "v4");
            var followed = await client.DialUntilAsync(TestMesh.ReviewsVip, 10, r => r.Count("reviews-b") == 10, ChangeTimeout);
            Assert.True(followed.Count("reviews-b") == 10, $"{followed}\n{daemon.Log}\n{server.Log}");
            Assert.Contains(server.Events, e => (string?)e["event"] == "ack" && (string?)e["version"] == "v4");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The index just after the <paramref name="n"/>th event of a kind (0: from the start).</summary>
    private static int IndexOfNth(NodeAdsServer server, string kind, int n)
    {
        var events = server.Events;
        var seen = 0;
        for (var i = 0; i < events.Count; i++)
        {
            if (seen == n)
                return i;
            if ((string?)events[i]["event"] == kind)
                seen++;
        }
        return events.Count;
    }
}
