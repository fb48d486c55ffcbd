using System.Diagnostics;
using Kmesh.Sdk.Testing;

namespace Kmesh.Demo;

/// <summary>
/// The demo's restart act: with <c>--keep-on-exit</c> the kernel data path outlives the daemon,
/// so a client dialing back to back sees no failed connect while the daemon is killed and a
/// successor adopts what it left pinned; then <c>kmesh uninstall</c> removes it all.
/// </summary>
internal static class HitlessRestart
{
    public static async Task<DaemonProcess> RestartAsync(string daemonDll, IReadOnlyList<string> daemonArguments, DaemonProcess daemon, SandboxClient client, DemoService service)
    {
        Showcase.Step($"Hitless restart: a client dials {service} back to back while the daemon is killed (SIGKILL) and a successor adopts the data path it left");
        using var stop = new CancellationTokenSource();
        var dialing = DialUntilStoppedAsync(client, service, stop.Token);
        await Task.Delay(500);
        Process.GetProcessById(daemon.Pid).Kill();
        await daemon.WaitForExitAsync(TimeSpan.FromSeconds(10));
        Console.WriteLine("    daemon killed; its programs stay attached and its maps keep the last config");
        await Task.Delay(500);
        // The successor's log is long: the lines about taking over, and its counters at the stop, tell the story.
        var successor = DaemonProcess.Start(daemonDll, daemonArguments, line =>
        {
            if (line.Contains("adopt", StringComparison.OrdinalIgnoreCase) || line.Contains(" ready", StringComparison.Ordinal) || line.Contains("counters", StringComparison.Ordinal))
                Console.WriteLine($"    successor | {line}");
        });
        await successor.WaitReadyAsync();
        await Task.Delay(500);
        await stop.CancelAsync();
        var (succeeded, failed, elapsed) = await dialing;
        Console.WriteLine($"    {succeeded + failed} connects in {elapsed.TotalSeconds:F1} s across the restart: {succeeded} answered, {failed} failed");
        return successor;
    }

    /// <summary>Stops the daemon leaving the data path in place, shows it still routes, then uninstalls it.</summary>
    public static async Task StopAndUninstallAsync(string daemonDll, DaemonProcess daemon, KernelSandbox sandbox, SandboxClient client, DemoService service)
    {
        Showcase.Step("Stopping the daemon (SIGTERM): with --keep-on-exit the data path stays and keeps routing");
        await daemon.StopAsync();
        Histogram.Print(await client.DialAsync(service.Address, service.Port, 3));

        Showcase.Step($"kmesh uninstall --bpffs {sandbox.PinPath} --cgroup {sandbox.CgroupPath}: what a node decommission runs");
        await KmeshCli.RunAsync(daemonDll, "uninstall", "--bpffs", sandbox.PinPath, "--cgroup", sandbox.CgroupPath);
        Console.WriteLine($"    pins left in {sandbox.PinPath}: {(Directory.Exists(sandbox.PinPath) ? "yes" : "none")}");
    }

    private static async Task<(int Succeeded, int Failed, TimeSpan Elapsed)> DialUntilStoppedAsync(SandboxClient client, DemoService service, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        int succeeded = 0, failed = 0;
        while (!stop.IsCancellationRequested)
        {
            var result = await client.DialAsync(service.Address, service.Port, 20, TimeSpan.FromSeconds(1));
            succeeded += result.Succeeded;
            failed += result.Failed;
        }
        return (succeeded, failed, clock.Elapsed);
    }
}
