using Kmesh.Bench;
using Kmesh.Sdk.Testing;

// ./kmesh bench [--quick]: see bench/README.md. Every kernel object it makes lives in sandboxes it
// creates (two network namespaces, cgroups, pin folders) and is removed on exit, error or Ctrl-C.
string? daemonDll = null, xdsServerDll = null, pluginDir = null, connectTool = null, microDll = null, outDir = null;
var quick = false;
string? only = null;
int? telemetryCycles = null;
string? telemetryBaseline = null;
string? waypointBaseline = null;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--daemon": daemonDll = args[++i]; break;
        case "--xds-server": xdsServerDll = args[++i]; break;
        case "--plugin-dir": pluginDir = args[++i]; break;
        case "--connect-tool": connectTool = args[++i]; break;
        case "--micro": microDll = args[++i]; break;
        case "--out": outDir = args[++i]; break;
        case "--quick": quick = true; break;
        case "--only": only = args[++i]; break;
        case "--telemetry-baseline": telemetryBaseline = args[++i]; break;
        case "--waypoint-baseline": waypointBaseline = args[++i]; break;
        case "--telemetry-cycles": telemetryCycles = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture); break;
        default: Console.Error.WriteLine($"bench: unknown argument {args[i]}"); return 2;
    }
}
if (only is not null and not ("telemetry" or "same-node" or "waypoint" or "control-plane"))
{
    Console.Error.WriteLine($"bench: --only takes 'telemetry' (section 2b alone), 'same-node' (section 1b alone), 'waypoint' (the waypoint's request-path rows alone) or 'control-plane' (section 3 alone), not '{only}'");
    return 2;
}
if (daemonDll is null || pluginDir is null || connectTool is null || outDir is null)
{
    Console.Error.WriteLine("usage: kmesh-bench --daemon kmesh.dll --plugin-dir DIR --connect-tool kmb-connect --out DIR [--xds-server kmesh-xds.dll] [--micro Kmesh.Bench.Micro.dll] [--quick] [--only telemetry|same-node|waypoint|control-plane] [--telemetry-cycles N] [--telemetry-baseline DAEMON_DLL:PLUGIN_DIR] [--waypoint-baseline KMESH_DLL]");
    return 2;
}

using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true; // unwind through the finally blocks, which remove what we made
    Log("interrupted: cleaning up");
    cts.Cancel();
};
// SIGTERM too (a CI timeout, `kill`): cancel and unwind instead of dying with things left behind.
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, ctx =>
{
    ctx.Cancel = true;
    Log("terminated: cleaning up");
    cts.Cancel();
});
var bench = new Bench(new BenchOptions(daemonDll, xdsServerDll, pluginDir, connectTool, microDll, outDir, quick, only, telemetryCycles, telemetryBaseline, waypointBaseline), cts.Token);
try
{
    await bench.RunAsync();
    return 0;
}
catch (OperationCanceledException)
{
    Log("cancelled; cleaned up");
    return 130;
}
catch (Exception e) when (e is InvalidOperationException or TimeoutException or IOException or FormatException or UnauthorizedAccessException)
{
    // Everything made was removed on the way out (the finally blocks); say what went wrong.
    Log($"failed: {e.Message}");
    return 1;
}
finally
{
    Proc.KillAll();
}

static void Log(string text) => Console.Error.WriteLine($"[bench] {text}");

namespace Kmesh.Bench
{
    /// <param name="Only">"telemetry": set-up and section 2b alone (issue 11's figures); "same-node": set-up and section 1b alone; "waypoint": nginx, HAProxy and the waypoint(s) in one namespace and the request path's direct, haproxy-http and waypoint rows alone (no daemon, no kernel programs); each reported in a file of its own; null: everything.</param>
    /// <param name="TelemetryCycles">Cycles of section 2b instead of the default (100 with --quick, 400 otherwise): more cycles, a tighter interval.</param>
    /// <param name="TelemetryBaseline">"DAEMON_DLL:PLUGIN_DIR" of another build (the code before a change): section 2b then also runs its off and counters, interleaved in the same cycles, so before and after are measured in one run.</param>
    /// <param name="WaypointBaseline">kmesh.dll of another build (the code before a change): its waypoint runs beside this build's as the variant <c>waypoint-before</c>, alternated with it in the same rounds.</param>
    public sealed record BenchOptions(string DaemonDll, string? XdsServerDll, string PluginDir, string ConnectTool, string? MicroDll, string OutDir, bool Quick, string? Only = null, int? TelemetryCycles = null, string? TelemetryBaseline = null, string? WaypointBaseline = null);
}
