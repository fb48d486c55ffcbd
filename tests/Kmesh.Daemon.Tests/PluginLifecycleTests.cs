using System.Diagnostics;
using Kmesh.Sdk.Manifest;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>Plugin sets (what a node may run) and replacing a plugin in a running daemon.</summary>
public sealed class PluginLifecycleTests : IDisposable
{
    private readonly string _plugins = Directory.CreateTempSubdirectory("kmesh-plugins-").FullName;

    public void Dispose() => Directory.Delete(_plugins, recursive: true);

    /// <summary>A private copy of the built plugins, so a test can change "its" plugin files.</summary>
    private void CopyPlugins()
    {
        foreach (var file in Directory.EnumerateFiles(RepoPaths.Plugins, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(_plugins, Path.GetRelativePath(RepoPaths.Plugins, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static async Task<(int ExitCode, string Output)> KmeshAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(RepoPaths.DaemonDll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }

    private void BumpVersion(string plugin, string version) => SetManifestField(plugin, "version", version);

    private void SetManifestField(string plugin, string field, string value)
    {
        var manifest = Path.Combine(_plugins, plugin, "kmesh-plugin.json");
        var text = File.ReadAllText(manifest);
        File.WriteAllText(manifest, System.Text.RegularExpressions.Regex.Replace(text, $"\"{field}\": *\"[^\"]+\"", $"\"{field}\": \"{value}\""));
    }

    [KernelFact]
    public async Task PluginSetFromLock_RunsThatChain()
    {
        CopyPlugins();
        var (exit, setYaml) = await KmeshAsync("plugins", "lock", "--plugin-dir", _plugins, "--plugins", "routing,loadbalance");
        Assert.True(exit == 0, setYaml);
        var setPath = Path.Combine(_plugins, "plugins.yaml");
        File.WriteAllText(setPath, setYaml);

        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--plugin-set", setPath], pluginDirectory: _plugins);

        Assert.Contains($"chain: routing {ManifestVersion("routing")}, loadbalance {ManifestVersion("loadbalance")}", await run.Daemon.WaitReadyAsync());
        Assert.Equal(3, (await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 3)).Succeeded);
    }

    [KernelFact]
    public async Task PluginSetWithAHashMismatch_IsRefusedWithAReasonAnOperatorCanActOn()
    {
        CopyPlugins();
        var (_, setYaml) = await KmeshAsync("plugins", "lock", "--plugin-dir", _plugins, "--plugins", "routing,loadbalance");
        var setPath = Path.Combine(_plugins, "plugins.yaml");
        File.WriteAllText(setPath, setYaml);
        File.AppendAllText(Path.Combine(_plugins, "loadbalance", "loadbalance.bpf.o"), "\0");

        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--plugin-set", setPath], pluginDirectory: _plugins, waitReady: false);
        var exitCode = await run.Daemon.WaitForExitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, exitCode);
        var reason = await run.Daemon.WaitForLineAsync("could not start", TimeSpan.FromSeconds(1));
        Assert.Contains("plugin loadbalance", run.Daemon.Log);
        Assert.Contains("loadbalance.bpf.o has SHA-256", run.Daemon.Log);
        Assert.Contains("not the file that was approved", run.Daemon.Log);
        Assert.NotNull(reason);
    }

    [KernelFact]
    public async Task HotSwapUnderLoad_NoConnectFails_AndTheStateCarriesOver()
    {
        CopyPlugins();
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), pluginDirectory: _plugins);
        await using var dialer = await run.Sandbox.ClientAsync();

        // Dial in batches from before the reload until well after the swap, so connects
        // certainly run while the slots change.
        var swapped = false;
        var batches = new List<DialResult>();
        var load = Task.Run(async () =>
        {
            for (var after = 0; after < 5; after += swapped ? 1 : 0)
                batches.Add(await dialer.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 99));
        });
        await Task.Delay(200);
        var from = ManifestVersion("loadbalance");
        var v = Version.Parse(from);
        var to = $"{v.Major}.{v.Minor}.{v.Build + 1}";
        BumpVersion("loadbalance", to);
        var skip = run.Daemon.Lines.Count;
        var (exit, output) = await KmeshAsync("plugins", "reload", "--bpffs", run.Sandbox.PinPath);
        Assert.True(exit == 0, output);
        var replaced = await run.Daemon.WaitForLineAsync("Plugin loadbalance replaced", TimeSpan.FromSeconds(15), skip);
        swapped = true;
        await load;

        Assert.Contains($"{from} -> {to}", replaced);
        var staged = Assert.Single(run.Daemon.Lines, l => l.Contains($"Plugin loadbalance {to} staged"));
        Assert.Contains("lb_rr", staged);
        Assert.Contains("recreated (layout changed): none", staged);
        Assert.True(batches.Count >= 6, $"only {batches.Count} batches ran");
        Assert.Equal(0, batches.Sum(b => b.Failed));
        // Round robin kept its cursor across the swap (the map was carried over, not reset).
        Assert.All(["reviews-a", "reviews-b", "reviews-c"], name => Assert.Equal(33 * batches.Count, batches.Sum(b => b.Count(name))));
    }

    [KernelFact]
    public async Task NewVersionTheKernelRefuses_IsNotSwappedIn_AndTheOldKeepsServing()
    {
        CopyPlugins();
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), pluginDirectory: _plugins);
        // The new "routing" object has no connect6 program, which its manifest promises.
        File.Copy(Path.Combine(RepoPaths.TestPlugins, "rejected", "rejected.bpf.o"), Path.Combine(_plugins, "routing", "routing.bpf.o"), overwrite: true);
        // The manifest says the fixture object's ABI, or the core refuses that disagreement first.
        SetManifestField("routing", "abi", PluginManifest.Load(Path.Combine(RepoPaths.TestPlugins, "rejected", PluginManifest.FileName)).Abi);
        BumpVersion("routing", "1.0.1");
        var skip = run.Daemon.Lines.Count;

        var (exit, output) = await KmeshAsync("plugins", "reload", "--bpffs", run.Sandbox.PinPath);
        var refusal = await run.Daemon.WaitForLineAsync("Plugin routing not replaced", TimeSpan.FromSeconds(15), skip);

        Assert.True(exit == 0, output);
        Assert.Contains("SEC(\"cgroup/connect6\")", refusal);
        Assert.Equal(30, (await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 30)).Succeeded);
    }

    [KernelFact]
    public async Task Reload_WithoutDaemon_SaysSo()
    {
        var (exit, output) = await KmeshAsync("plugins", "reload", "--bpffs", "/sys/fs/bpf/kmesh-no-such-instance");

        Assert.Equal(2, exit);
        Assert.Contains("no running kmesh daemon uses pin folder", output);
    }

    // The versions the build ships, so a plugin's version bump does not break this test.
    private static string ManifestVersion(string plugin) =>
        System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Plugins, plugin, "kmesh-plugin.json")))
            .RootElement.GetProperty("version").GetString()!;
}
