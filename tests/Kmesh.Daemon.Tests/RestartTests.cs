using System.Diagnostics;
using Kmesh.Sdk.Testing;
using Xunit.Abstractions;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// Hitless restart (issue 13): with --keep-on-exit the data path outlives the daemon, and the
/// next daemon adopts it - real connects through the VIP never fail, state carries over. They
/// run on their own (the governance collection): the connect rate is measured.
/// </summary>
[Collection(GovernanceCollection.Name)]
public sealed class RestartTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(5);

    [KernelFact]
    public async Task SigtermRestart_WithKeepOnExit_NoConnectFails_AndEachProgramIsAttachedOnce()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--keep-on-exit"]);
        await using var dialer = ContinuousDialer.Start(run.Client, TestMesh.ReviewsVip, TestMesh.Port);
        await Task.Delay(700);

        Assert.Equal(0, await run.Daemon.StopAsync());
        var whileStopped = AttachedPrograms(run.Sandbox.CgroupPath);
        await Task.Delay(700); // no daemon at all: the kernel serves alone
        await using var successor = StartSuccessor(run);
        var ready = await successor.WaitReadyAsync();
        await Task.Delay(700);
        var dialed = await dialer.StopAsync();
        output.WriteLine($"SIGTERM restart: {dialed}");

        Assert.Contains(run.Daemon.Lines, l => l.Contains("keeps serving"));
        Assert.Contains(successor.Lines, l => l.Contains("Adopting the data path"));
        Assert.Equal(5, whileStopped.Count);
        Assert.True(dialed.Failed == 0, $"failed connects across the restart: {dialed}");
        Assert.True(dialed.PerSecond >= 300, $"only {dialed.PerSecond:F0} connects/s: {dialed}");
        var after = AttachedPrograms(run.Sandbox.CgroupPath);
        Assert.Equal(5, after.Count); // swapped in place by BPF_LINK_UPDATE, not attached a second time
        Assert.Equal(5, after.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]).Distinct().Count());
    }

    [KernelFact]
    public async Task SigkillRestart_WithKeepOnExit_NoConnectFails()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--keep-on-exit"]);
        await using var dialer = ContinuousDialer.Start(run.Client, TestMesh.ReviewsVip, TestMesh.Port);
        await Task.Delay(700);

        Process.GetProcessById(run.Daemon.Pid).Kill();
        await run.Daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(700);
        await using var successor = StartSuccessor(run);
        await successor.WaitReadyAsync();
        await Task.Delay(700);
        var dialed = await dialer.StopAsync();
        output.WriteLine($"SIGKILL restart: {dialed}");

        Assert.True(dialed.Failed == 0, $"failed connects across the SIGKILL restart: {dialed}");
        Assert.True(dialed.PerSecond >= 300, $"only {dialed.PerSecond:F0} connects/s: {dialed}");
        Assert.Equal(5, AttachedPrograms(run.Sandbox.CgroupPath).Count);
    }

    [KernelFact]
    public async Task DrainedBucketStaysDrained_AcrossAnAdoptingRestart_AndALiveChangeApplies()
    {
        await using var run = await GovernanceMesh.StartAsync(GovernanceMesh.Config(maxTokens: 10, tokensPerFill: 1, fillInterval: "3600s"), ["--keep-on-exit"]);
        var spent = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 10);
        Assert.Equal(0, await run.Daemon.StopAsync());

        await using var successor = StartSuccessor(run);
        await successor.WaitReadyAsync();
        var afterRestart = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 3);
        // A changed bucket config starts over full (as without a restart): the adopted map is diffed, and written.
        await run.RewriteConfigAsync(GovernanceMesh.Config(maxTokens: 2, tokensPerFill: 1, fillInterval: "3600s"));
        var changed = await run.DialUntilAsync(GovernanceMesh.LimitedVip, 3, r => r.Count("limited-a") == 2, Settle);

        Assert.Equal(10, spent.Count("limited-a"));
        Assert.Equal(3, afterRestart.ErrorCount("ENOBUFS"));
        Assert.Equal(2, changed.Count("limited-a"));
        Assert.Equal(1, changed.ErrorCount("ENOBUFS"));
    }

    [KernelFact]
    public async Task DrainedBucketStaysDrained_WhenTheSuccessorsConfigListsTheServicesInAnotherOrder()
    {
        await using var run = await GovernanceMesh.StartAsync(GovernanceMesh.Config(maxTokens: 10, tokensPerFill: 1, fillInterval: "3600s"), ["--keep-on-exit"]);
        var spent = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 10);
        Assert.Equal(0, await run.Daemon.StopAsync());
        // The same mesh, listed the other way round: fresh ids handed out in first-seen order would
        // give the limited service another id, and with it a full bucket.
        await run.RewriteConfigAsync(GovernanceMesh.Config(maxTokens: 10, tokensPerFill: 1, fillInterval: "3600s", reversed: true));

        await using var successor = StartSuccessor(run);
        await successor.WaitReadyAsync();
        var afterRestart = await run.Client.DialAsync(GovernanceMesh.LimitedVip, GovernanceMesh.Port, 3);
        var plain = await run.Client.DialAsync(GovernanceMesh.PlainVip, GovernanceMesh.Port, 3);

        Assert.Equal(10, spent.Count("limited-a"));
        Assert.Equal(3, afterRestart.ErrorCount("ENOBUFS"));
        Assert.Equal(3, plain.Succeeded);
        Assert.Contains(successor.Lines, l => l.Contains("Mesh ids restored"));
    }

    [KernelFact]
    public async Task HeldConnectionsStillCountAgainstMaxConnections_AfterAdoption_AndReleaseWhenTheyClose()
    {
        var config = CircuitBreakerMesh.Config(capped: CircuitBreakerMesh.Breaker(3));
        await using var run = await CircuitBreakerMesh.StartAsync(config, ["--keep-on-exit"]);
        for (var i = 0; i < 3; i++)
            await run.Client.HoldAsync(CircuitBreakerMesh.CappedVip, CircuitBreakerMesh.Port, $"old-{i}");
        Assert.Equal(0, await run.Daemon.StopAsync());

        await using var successor = StartSuccessor(run);
        await successor.WaitReadyAsync();
        var carried = await PinnedMaps.ConnectionsAsync(run.Sandbox.PinPath);
        var fourth = await run.Client.DialAsync(CircuitBreakerMesh.CappedVip, CircuitBreakerMesh.Port, 1);
        for (var i = 0; i < 3; i++)
            await run.Client.ReleaseAsync($"old-{i}");
        var released = await PinnedMaps.WaitConnectionsAsync(run.Sandbox.PinPath, c => c == (0, 0), Settle);
        var afterwards = await run.Client.DialAsync(CircuitBreakerMesh.CappedVip, CircuitBreakerMesh.Port, 1);

        Assert.Equal((0UL, 3UL), carried);
        Assert.Equal(1, fourth.ErrorCount("EBUSY"));
        Assert.Equal((0UL, 0UL), released);
        Assert.Equal(1, afterwards.Succeeded);
    }

    [KernelFact]
    public async Task LeastRequestCounts_AndConnectionRecords_CarryOver_HeldConnectionsStillSeeTheVip()
    {
        // 16 samples per connect: with two endpoints the lesser one is missed once in 65536.
        var config = LoadBalancingPolicyTests.Config("lb_policy: LEAST_REQUEST\n    least_request_lb_config: { choice_count: 16 }", [("random-a", "127.0.4.1"), ("random-b", "127.0.4.2")]);
        await using var run = await MeshRun.StartAsync(config, ["--keep-on-exit"]);
        var held = new List<(string Id, string Backend)>();
        for (var i = 0; i < 6; i++)
            held.Add(($"old-{i}", await run.Client.HoldAsync(LoadBalancingPolicyTests.Vip, TestMesh.Port, $"old-{i}")));
        Assert.Equal(0, await run.Daemon.StopAsync());

        await using var successor = StartSuccessor(run);
        await successor.WaitReadyAsync();
        var carried = await PinnedMaps.LeastRequestOpenAsync(run.Sandbox.PinPath);
        var peers = new List<System.Net.IPEndPoint>();
        foreach (var (id, _) in held)
            peers.Add(await run.Client.HeldPeerAsync(id));
        // random-a's three close after the restart: the adopted marks count them down in the adopted counts.
        foreach (var (id, _) in held.Where(h => h.Backend == "random-a"))
            await run.Client.ReleaseAsync(id);
        var afterClose = await PinnedMaps.WaitLeastRequestOpenAsync(run.Sandbox.PinPath, open => open == 3, Settle);
        var next = new List<string>();
        for (var i = 0; i < 3; i++)
            next.Add(await run.Client.HoldAsync(LoadBalancingPolicyTests.Vip, TestMesh.Port, $"next-{i}"));

        Assert.True(held.Count(h => h.Backend == "random-a") == 3, string.Join(", ", held));
        Assert.Equal(6UL, carried);
        Assert.All(peers, p => Assert.Equal($"{LoadBalancingPolicyTests.Vip}:{TestMesh.Port}", p.ToString()));
        Assert.Equal(3UL, afterClose);
        Assert.True(next.All(b => b == "random-a"), $"{string.Join(", ", next)}\n{successor.Log}");
    }

    [KernelFact]
    public async Task Uninstall_DetachesAndRemovesWhatWasKept_ASecondRunFindsNothing_AndARunningDaemonIsRefused()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--keep-on-exit"]);
        var whileRunning = await Kmesh(["uninstall", "--bpffs", run.Sandbox.PinPath]);
        Assert.Equal(0, await run.Daemon.StopAsync());
        var kept = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 3);

        var first = await Kmesh(["uninstall", "--bpffs", run.Sandbox.PinPath, "--cgroup", run.Sandbox.CgroupPath]);
        var attached = AttachedPrograms(run.Sandbox.CgroupPath);
        var second = await Kmesh(["uninstall", "--bpffs", run.Sandbox.PinPath]);
        var bare = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 2);

        Assert.True(whileRunning.ExitCode == 1 && whileRunning.Output.Contains("stop it first"), whileRunning.Output);
        Assert.Equal(3, kept.Succeeded);
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("detached 5 links", first.Output);
        Assert.Contains("km_entry4", first.Output);
        Assert.Contains("nothing is attached", first.Output);
        Assert.Empty(attached);
        Assert.False(Directory.Exists(run.Sandbox.PinPath), "the pin folder is still there");
        Assert.True(second.ExitCode == 0 && second.Output.Contains("nothing to remove"), second.Output);
        Assert.Equal(2, bare.ErrorCount("ECONNREFUSED")); // nothing routes the VIP any more
    }

    private static DaemonProcess StartSuccessor(MeshRun run) => DaemonProcess.Start(RepoPaths.DaemonDll,
        ["--config", run.ConfigPath, "--cgroup", run.Sandbox.CgroupPath, "--bpffs", run.Sandbox.PinPath, "--plugin-dir", RepoPaths.Plugins, "--keep-on-exit"]);

    private static async Task<(int ExitCode, string Output)> Kmesh(string[] arguments)
    {
        var info = new ProcessStartInfo(RepoPaths.DotnetHost) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(RepoPaths.DaemonDll);
        foreach (var argument in arguments)
            info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }

    /// <summary>The programs attached to a cgroup, as bpftool lists them (one line each).</summary>
    private static List<string> AttachedPrograms(string cgroup)
    {
        var info = new ProcessStartInfo("bpftool", ["cgroup", "show", cgroup]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"bpftool failed: {process.StandardError.ReadToEnd()}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => char.IsDigit(l.TrimStart()[0])).ToList();
    }
}
