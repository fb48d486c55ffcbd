using System.Net;
using Kmesh.Demo;
using Kmesh.Sdk.Testing;
using Kmesh.Xds;

// ./kmesh demo: named echo backends in a network namespace, the daemon attached to a cgroup
// of its own (never the root cgroup), and connects to every service VIP from that cgroup.
string? daemonDll = null, pluginDir = null, configPath = null;
var dials = 200;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--daemon": daemonDll = args[++i]; break;
        case "--plugin-dir": pluginDir = args[++i]; break;
        case "--config": configPath = args[++i]; break;
        case "--dials": dials = int.Parse(args[++i]); break;
        default: Console.Error.WriteLine($"demo: unknown argument {args[i]}"); return 2;
    }
}
if (daemonDll is null || pluginDir is null || configPath is null)
{
    Console.Error.WriteLine("usage: Kmesh.Demo --daemon kmesh.dll --plugin-dir DIR --config mesh.yaml [--dials N]");
    return 2;
}

var inventory = MeshInventory.From(EnvoyConfigFile.Load(configPath));
Step($"Sandbox: a network namespace with {inventory.Backends.Count} named echo backends, and a cgroup for the daemon to govern");
await using var sandbox = await KernelSandbox.CreateAsync(new SandboxOptions { Addresses = inventory.IPv6Addresses });
await sandbox.StartBackendsAsync(inventory.Backends.ToArray());
foreach (var backend in inventory.Backends)
    Console.WriteLine($"    {backend.Name,-20} {backend.EndPoint}");

// The daemon edits nothing of yours: it reads a copy, so the live change below stays in the demo.
var liveConfig = Path.Combine(Path.GetTempPath(), $"{sandbox.NetnsName}-mesh.yaml");
var accessLog = Path.Combine(Path.GetTempPath(), $"{sandbox.NetnsName}-access.log");
File.Copy(configPath, liveConfig, overwrite: true);
Step($"Daemon: kmesh run --config {Path.GetFileName(configPath)} --cgroup {sandbox.CgroupPath} --access-log {Path.GetFileName(accessLog)} --keep-on-exit --waypoint {WaypointAct.WaypointAddress}");
string[] daemonArguments = ["--config", liveConfig, "--cgroup", sandbox.CgroupPath, "--bpffs", sandbox.PinPath, "--plugin-dir", pluginDir, "--access-log", accessLog, "--keep-on-exit",
    "--waypoint", WaypointAct.WaypointAddress];
var daemon = DaemonProcess.Start(daemonDll, daemonArguments, line => Console.WriteLine($"    daemon | {line}"));
try
{
    await daemon.WaitReadyAsync();
    await using var client = await sandbox.ClientAsync();
    foreach (var backend in inventory.InCgroupBackends)
    {
        await client.ListenAsync(backend.Name, backend.Address, backend.Port);
        Console.WriteLine($"    {backend.Name,-20} {backend.EndPoint} (inside the governed cgroup)");
    }

    foreach (var service in inventory.Services)
    {
        Step($"{dials} connects to {service}, from inside the governed cgroup");
        Histogram.Print(await client.DialAsync(service.Address, service.Port, dials));
    }

    var first = inventory.Services[0];
    Step($"getpeername() on a routed socket shows the VIP the application dialed");
    var peer = await client.PeerAsync(first.Address, first.Port);
    Console.WriteLine($"    answered by {peer.Name}; the socket's peer is {peer.RemoteEndPoint}");

    Step($"A process outside the cgroup is not governed: its connect to {first} is not rewritten");
    await using (var outsider = await sandbox.ClientAsync(insideCgroup: false))
        Histogram.Print(await outsider.DialAsync(first.Address, first.Port, 3));

    var text = File.ReadAllText(liveConfig);
    if (text.Contains("weight: 90") && text.Contains("weight: 10"))
    {
        Step("Gray release, next step: the config file is edited to 50/50 while the daemon runs");
        var skip = daemon.Lines.Count;
        File.WriteAllText(liveConfig + ".tmp", text.Replace("weight: 90", "weight: 50").Replace("weight: 10", "weight: 50"));
        File.Move(liveConfig + ".tmp", liveConfig, overwrite: true);
        await daemon.WaitForLineAsync("Applied config", TimeSpan.FromSeconds(10), skip);
        var weighted = inventory.Services.FirstOrDefault(s => s.Name == "ratings") ?? first;
        Histogram.Print(await client.DialAsync(weighted.Address, weighted.Port, dials));
    }

    await Showcase.RunAsync(client, inventory, dials);
    await WaypointAct.RunAsync(daemonDll, pluginDir, sandbox, daemon, liveConfig);
    await OperatorView.ShowAsync(daemonDll, daemon, accessLog);

    var restarted = await HitlessRestart.RestartAsync(daemonDll, daemonArguments, daemon, client, first);
    await daemon.DisposeAsync();
    daemon = restarted;
    await HitlessRestart.StopAndUninstallAsync(daemonDll, daemon, sandbox, client, first);
    return 0;
}
finally
{
    await daemon.DisposeAsync();
    File.Delete(liveConfig);
    File.Delete(accessLog);
}

static void Step(string text) => Showcase.Step(text);
