using System.Diagnostics;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>Start, stop, and what the daemon leaves behind: nothing.</summary>
public sealed class LifecycleTests
{
    [KernelFact]
    public async Task Sigterm_DetachesEverythingAndRemovesThePins()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());
        Assert.NotEmpty(AttachedPrograms(run.Sandbox.CgroupPath));
        Assert.True(Directory.Exists(run.Sandbox.PinPath));

        var exitCode = await run.Daemon.StopAsync();

        Assert.Equal(0, exitCode);
        Assert.Empty(AttachedPrograms(run.Sandbox.CgroupPath));
        Assert.False(Directory.Exists(run.Sandbox.PinPath), "the pin folder is still there");
        var result = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 2);
        Assert.Equal(2, result.ErrorCount("ECONNREFUSED"));
    }

    [KernelFact]
    public async Task Ready_LogsTheChainWithVersions()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());

        var ready = await run.Daemon.WaitReadyAsync();

        // Each plugin with its own version, as its manifest says.
        Assert.Contains($"routing {ManifestVersion("routing")}", ready);
        Assert.Contains($"loadbalance {ManifestVersion("loadbalance")}", ready);
        Assert.Contains($"ratelimit {ManifestVersion("ratelimit")}", ready);
    }

    [KernelFact]
    public async Task SecondDaemonOnTheSamePins_IsRefused_AndTheFirstKeepsServing()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());

        await using var second = DaemonProcess.Start(RepoPaths.DaemonDll,
            ["--config", run.ConfigPath, "--cgroup", run.Sandbox.CgroupPath, "--bpffs", run.Sandbox.PinPath, "--plugin-dir", RepoPaths.Plugins]);
        var exitCode = await second.WaitForExitAsync(TimeSpan.FromSeconds(30));
        var refusal = await second.WaitForLineAsync("could not start", TimeSpan.FromSeconds(1));

        Assert.True(refusal.Contains("already uses pin folder"), refusal);
        Assert.Equal(1, exitCode);
        Assert.True(Directory.Exists(run.Sandbox.PinPath));
        var result = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 3);
        Assert.Equal(3, result.Succeeded);
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

    private static string ManifestVersion(string plugin) =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Plugins, plugin, "kmesh-plugin.json")))
            .RootElement.GetProperty("version").GetString()!;
}
