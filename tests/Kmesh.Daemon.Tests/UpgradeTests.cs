using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Kmesh.Sdk.Testing;
using Kmesh.Xds.Server;
using Xunit.Abstractions;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// Upgrades and odd pin folders (issue 13): a successor that cannot take every map over builds
/// its chain beside the running one, fills it, and only then switches the entry programs -
/// real connects through the VIP never fail. The gate fixture (tests/TestPlugins/gate, gate2)
/// refuses every service connect while its map is empty, so a switch before the fill would show.
/// Run on their own (the governance collection): the connect rate is measured.
/// </summary>
[Collection(GovernanceCollection.Name)]
public sealed class UpgradeTests(ITestOutputHelper output)
{
    private static string GateV1 => Path.Combine(RepoPaths.Root, "artifacts", "upgrade-plugins", "v1");

    private static string GateV2 => Path.Combine(RepoPaths.Root, "artifacts", "upgrade-plugins", "v2");

    [KernelFact]
    public async Task UpgradeToAPluginVersionWithAnotherMapLayout_IsMakeBeforeBreak_NoConnectFails()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--keep-on-exit", "--plugin-dir", GateV1]);
        Assert.Contains(run.Daemon.Lines, l => l.Contains("Plugin gate 1.0.0"));
        await using var dialer = ContinuousDialer.Start(run.Client, TestMesh.ReviewsVip, TestMesh.Port);
        await Task.Delay(700);

        Assert.Equal(0, await run.Daemon.StopAsync());
        await using var successor = StartSuccessor(run, ["--plugin-dir", GateV2]);
        await successor.WaitForLineAsync("Switched", TimeSpan.FromSeconds(60));
        await successor.WaitReadyAsync();
        await Task.Delay(700);
        var dialed = await dialer.StopAsync();
        output.WriteLine($"upgrade gate 1.0.0 -> 2.0.0: {dialed}");

        Assert.Contains(successor.Lines, l => l.Contains("Plugin gate adopted") && l.Contains("gate_open (layout changed)"));
        Assert.Contains(successor.Lines, l => l.Contains("Plugin gate 2.0.0"));
        Assert.Contains(successor.Lines, l => l.Contains("The adopted chain keeps serving") && l.Contains("gate"));
        // Make-before-break: the new map was filled (the apply) before the entry programs switched.
        var applied = IndexOf(successor, "Applied config");
        var switched = IndexOf(successor, "Switched");
        Assert.True(applied >= 0 && applied < switched, successor.Log);
        Assert.True(dialed.Failed == 0, $"failed connects across the upgrade: {dialed}");
        Assert.True(dialed.PerSecond >= 300, $"only {dialed.PerSecond:F0} connects/s: {dialed}");
        AssertEachProgramOnce(run.Sandbox.CgroupPath);
        // The pin now names the version 2 map (value: open + version), and nothing is left staged.
        Assert.Equal(8, await ValueSizeAsync(Path.Combine(run.Sandbox.PinPath, "plugins", "gate", "gate_open")));
        Assert.False(Directory.Exists(Path.Combine(run.Sandbox.PinPath, "staging")), "staging/ is still there");
        Assert.Equal(3, (await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 3)).Succeeded);
    }

    [KernelFact]
    public async Task PinFolderOfAnotherAbiMajor_IsReplacedMakeBeforeBreak_CarryingNothing_NoConnectFails()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--keep-on-exit", "--plugin-dir", GateV1]);
        await using var dialer = ContinuousDialer.Start(run.Client, TestMesh.ReviewsVip, TestMesh.Port);
        await Task.Delay(500);

        Assert.Equal(0, await run.Daemon.StopAsync());
        // As if a core of chain ABI 2.0 had made the folder.
        await WriteInstanceAsync(run.Sandbox.PinPath, abiMajor: 2, abiMinor: 0, pinLayout: 1);
        await using var successor = StartSuccessor(run, ["--plugin-dir", GateV1]);
        await successor.WaitForLineAsync("Switched", TimeSpan.FromSeconds(60));
        await Task.Delay(500);
        var dialed = await dialer.StopAsync();
        output.WriteLine($"adopting an ABI 2.0 folder: {dialed}");

        Assert.Contains(successor.Lines, l => l.Contains("chain ABI 2.0, another major") && l.Contains("nothing is carried over"));
        Assert.Contains(successor.Lines, l => l.Contains("Plugin gate adopted") && l.Contains("gate_open (not carried across versions)"));
        Assert.True(IndexOf(successor, "Applied config") < IndexOf(successor, "Switched"), successor.Log);
        Assert.True(dialed.Failed == 0, $"failed connects across the switch: {dialed}");
        AssertEachProgramOnce(run.Sandbox.CgroupPath);
        var (abi, layout) = await ReadInstanceAsync(run.Sandbox.PinPath);
        Assert.Equal(1u, abi >> 16); // the folder is this core's now
        Assert.Equal(1u, layout);
    }

    [KernelFact]
    public async Task PinFolderOfAnotherPinLayout_IsRefusedSayingWhatToDo_AndTheRunningDataPathKeepsServing()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--keep-on-exit"]);
        Assert.Equal(0, await run.Daemon.StopAsync());
        await WriteInstanceAsync(run.Sandbox.PinPath, abiMajor: 1, abiMinor: 3, pinLayout: 7);

        await using var successor = StartSuccessor(run, []);
        var exit = await successor.WaitForExitAsync(TimeSpan.FromSeconds(60));
        var served = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 5);

        Assert.NotEqual(0, exit);
        Assert.Contains("pin layout 7", successor.Log);
        Assert.Contains($"kmesh uninstall --bpffs {run.Sandbox.PinPath}", successor.Log);
        Assert.Contains("it keeps serving", successor.Log);
        Assert.Equal(5, served.Succeeded);
        AssertEachProgramOnce(run.Sandbox.CgroupPath);
        Assert.True(File.Exists(Path.Combine(run.Sandbox.PinPath, "km_instance")), "the refused folder was touched");
    }

    [KernelFact]
    public async Task PartialPinFolder_MissingMapsAreNamed_AndRebuiltMakeBeforeBreak_NoConnectFails()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--keep-on-exit", "--plugin-dir", GateV1]);
        await using var dialer = ContinuousDialer.Start(run.Client, TestMesh.ReviewsVip, TestMesh.Port);
        await Task.Delay(500);

        Assert.Equal(0, await run.Daemon.StopAsync());
        var gateOpen = Path.Combine(run.Sandbox.PinPath, "plugins", "gate", "gate_open");
        var stats = Path.Combine(run.Sandbox.PinPath, "km_stats");
        File.Delete(gateOpen);
        File.Delete(stats);
        await using var successor = StartSuccessor(run, ["--plugin-dir", GateV1]);
        await successor.WaitForLineAsync("Switched", TimeSpan.FromSeconds(60));
        await Task.Delay(500);
        var dialed = await dialer.StopAsync();
        output.WriteLine($"adopting a folder with two pins missing: {dialed}");

        var switchedLine = successor.Lines.Single(l => l.Contains("Switched"));
        Assert.Contains("km_stats (pin missing)", switchedLine);
        Assert.Contains("plugins/gate/gate_open (pin missing)", switchedLine);
        Assert.True(IndexOf(successor, "Applied config") < IndexOf(successor, "Switched"), successor.Log);
        Assert.True(dialed.Failed == 0, $"failed connects across the rebuild: {dialed}");
        Assert.True(File.Exists(gateOpen) && File.Exists(stats), "the rebuilt maps are not pinned");
        AssertEachProgramOnce(run.Sandbox.CgroupPath);
    }

    [KernelFact]
    public async Task AfterAdoption_ReadyBeforeTheUnreachableXdsServerAnswers_TheAdoptedConfigServes_ThenItSyncs()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--keep-on-exit"]);
        await using var dialer = ContinuousDialer.Start(run.Client, TestMesh.ReviewsVip, TestMesh.Port);
        await Task.Delay(500);
        Assert.Equal(0, await run.Daemon.StopAsync());

        var xdsPort = FreePort();
        await using var successor = DaemonProcess.Start(RepoPaths.DaemonDll,
        [
            "--xds", $"127.0.0.1:{xdsPort}", "--cgroup", run.Sandbox.CgroupPath, "--bpffs", run.Sandbox.PinPath,
            "--plugin-dir", RepoPaths.Plugins, "--keep-on-exit", "--admin", $"127.0.0.1:{FreePort()}",
        ]);
        await successor.WaitForLineAsync(@"ready \(adopted\)", TimeSpan.FromSeconds(60));
        var (readyCode, readyBody) = await Admin.GetAsync(successor, "/ready");
        var (_, statusBody) = await Admin.GetAsync(successor, "/status");
        await Task.Delay(700); // nothing answers at the xDS address: the adopted config serves alone

        Assert.Equal(200, readyCode);
        Assert.Contains("note: serving the configuration adopted from the previous daemon", readyBody);
        Assert.Contains($"127.0.0.1:{xdsPort} is not connected", readyBody);
        using (var status = JsonDocument.Parse(statusBody))
        {
            var root = status.RootElement;
            Assert.True(root.GetProperty("ready").GetBoolean(), statusBody);
            Assert.False(root.GetProperty("source").GetProperty("connected").GetBoolean(), statusBody);
            Assert.True(root.GetProperty("adopted").GetProperty("switched").GetBoolean(), statusBody);
            Assert.Contains("km_conn", root.GetProperty("adopted").GetProperty("carried").EnumerateArray().Select(e => e.GetString()));
        }

        // The control plane comes up: the daemon syncs (its first fetch arrives in parts; only the
        // complete one replaces the adopted config), and the node is ready without a note.
        var directory = Directory.CreateTempSubdirectory("kmesh-upgrade-xds").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "mesh.yaml"), XdsMesh.Config());
            await using var server = await FileAdsServer.StartAsync(directory, xdsPort);
            await successor.WaitForLineAsync(@"ready: \d+ listeners", TimeSpan.FromSeconds(60));
            await Task.Delay(500);
            var dialed = await dialer.StopAsync();
            output.WriteLine($"adopted, xDS unreachable, then synced: {dialed}");
            var (syncedCode, syncedBody) = await Admin.GetAsync(successor, "/ready");
            Assert.True(dialed.Failed == 0, $"failed connects while the xDS server was unreachable or syncing: {dialed}");
            Assert.Equal(200, syncedCode);
            Assert.Equal("ready\n", syncedBody);
            Assert.Equal(5, (await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 5)).Succeeded);
            Assert.Equal(3, (await run.Client.DialAsync(XdsMesh.WebVip, TestMesh.Port, 3)).Succeeded); // only the xDS config has it
            // What the start cost is said once, at the first ready (the adopted one), not again when synced.
            Assert.Matches(@"first ready [\d.]+ s after the process started, [\d.]+ s of CPU; GC: \d+/\d+/\d+ collections \(gen0/1/2\), \d+ ms paused",
                Assert.Single(successor.Lines, l => l.Contains("first ready", StringComparison.Ordinal)));
            Assert.True(IndexOf(successor, "ready (adopted)") < IndexOf(successor, "first ready"), successor.Log);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [KernelFact]
    public async Task UpgradeWithTheXdsServerUnreachable_TheAdoptedChainServesUntilTheFirstConfig_ThenTheSwitch()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config(), ["--keep-on-exit", "--plugin-dir", GateV1]);
        await using var dialer = ContinuousDialer.Start(run.Client, TestMesh.ReviewsVip, TestMesh.Port);
        await Task.Delay(500);
        Assert.Equal(0, await run.Daemon.StopAsync());

        var xdsPort = FreePort();
        await using var successor = DaemonProcess.Start(RepoPaths.DaemonDll,
        [
            "--xds", $"127.0.0.1:{xdsPort}", "--cgroup", run.Sandbox.CgroupPath, "--bpffs", run.Sandbox.PinPath,
            "--plugin-dir", RepoPaths.Plugins, "--plugin-dir", GateV2, "--keep-on-exit", "--admin", $"127.0.0.1:{FreePort()}",
        ]);
        await successor.WaitForLineAsync(@"ready \(adopted\)", TimeSpan.FromSeconds(60));
        var (readyCode, readyBody) = await Admin.GetAsync(successor, "/ready");
        var (_, statusBody) = await Admin.GetAsync(successor, "/status");
        await Task.Delay(500); // the previous chain (gate 1.0.0, its map filled) serves alone

        var directory = Directory.CreateTempSubdirectory("kmesh-upgrade-xds").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, "mesh.yaml"), XdsMesh.Config());
            await using var server = await FileAdsServer.StartAsync(directory, xdsPort);
            await successor.WaitForLineAsync("Switched", TimeSpan.FromSeconds(60));
            await successor.WaitForLineAsync(@"ready: \d+ listeners", TimeSpan.FromSeconds(60));
            await Task.Delay(500);
            var dialed = await dialer.StopAsync();
            output.WriteLine($"upgrade gate 1.0.0 -> 2.0.0, xDS first unreachable: {dialed}");

            Assert.Equal(200, readyCode);
            Assert.Contains("on its chain, until this one's new maps hold a configuration", readyBody);
            using (var status = JsonDocument.Parse(statusBody))
            {
                var adopted = status.RootElement.GetProperty("adopted");
                Assert.False(adopted.GetProperty("switched").GetBoolean(), statusBody);
                Assert.Contains("plugin gate", adopted.GetProperty("waiting")[0].GetString());
                Assert.Contains("plugins/gate/gate_open (layout changed)", adopted.GetProperty("renewed").EnumerateArray().Select(e => e.GetString()));
            }
            Assert.True(IndexOf(successor, "Applied config") < IndexOf(successor, "Switched"), successor.Log);
            Assert.True(dialed.Failed == 0, $"failed connects across the upgrade: {dialed}");
            AssertEachProgramOnce(run.Sandbox.CgroupPath);
            Assert.Equal(8, await ValueSizeAsync(Path.Combine(run.Sandbox.PinPath, "plugins", "gate", "gate_open")));
            var (_, after) = await Admin.GetAsync(successor, "/status");
            using var switched = JsonDocument.Parse(after);
            Assert.True(switched.RootElement.GetProperty("adopted").GetProperty("switched").GetBoolean(), after);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static DaemonProcess StartSuccessor(MeshRun run, IEnumerable<string> extra) => DaemonProcess.Start(RepoPaths.DaemonDll,
        ["--config", run.ConfigPath, "--cgroup", run.Sandbox.CgroupPath, "--bpffs", run.Sandbox.PinPath, "--plugin-dir", RepoPaths.Plugins, "--keep-on-exit", .. extra]);

    private static int IndexOf(DaemonProcess daemon, string text)
    {
        var lines = daemon.Lines;
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Contains(text, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Overwrites the pinned km_instance (struct km_instance: abi, pin_layout; little endian).</summary>
    private static Task WriteInstanceAsync(string pinFolder, uint abiMajor, uint abiMinor, uint pinLayout)
    {
        var abi = (abiMajor << 16) | abiMinor;
        var value = BitConverter.GetBytes(abi).Concat(BitConverter.GetBytes(pinLayout)).Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        return BpftoolAsync(["map", "update", "pinned", Path.Combine(pinFolder, "km_instance"), "key", "hex", "00", "00", "00", "00", "value", "hex", .. value]);
    }

    private static async Task<(uint Abi, uint PinLayout)> ReadInstanceAsync(string pinFolder)
    {
        using var json = JsonDocument.Parse(await BpftoolAsync(["-j", "map", "lookup", "pinned", Path.Combine(pinFolder, "km_instance"), "key", "hex", "00", "00", "00", "00"]));
        var bytes = json.RootElement.GetProperty("value").EnumerateArray()
            .Select(b => Convert.ToByte(b.GetString()!, 16)).ToArray();
        return (BitConverter.ToUInt32(bytes, 0), BitConverter.ToUInt32(bytes, 4));
    }

    private static async Task<int> ValueSizeAsync(string pin)
    {
        using var json = JsonDocument.Parse(await BpftoolAsync(["-j", "map", "show", "pinned", pin]));
        return json.RootElement.GetProperty("bytes_value").GetInt32();
    }

    private static async Task<string> BpftoolAsync(string[] arguments)
    {
        var info = new ProcessStartInfo("bpftool", arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"bpftool {string.Join(' ', arguments)} failed: {await stderr}");
        return await stdout;
    }

    /// <summary>bpftool cgroup show: the five entry programs, each attached once.</summary>
    private static void AssertEachProgramOnce(string cgroup)
    {
        var info = new ProcessStartInfo("bpftool", ["cgroup", "show", cgroup]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var text = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => char.IsDigit(l.TrimStart()[0])).ToList();
        Assert.True(lines.Count == 5, text);
        Assert.Equal(5, lines.Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0]).Distinct().Count());
    }
}
