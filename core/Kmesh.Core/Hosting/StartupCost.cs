using System.Diagnostics;
using System.Globalization;

namespace Kmesh.Core.Hosting;

/// <summary>
/// What the process spent from its start to its first ready: wall time, CPU, and the garbage
/// collector's share. At 10 000 services the start is seconds of work on a node's CPUs; this
/// line says where an operator (or a bench) should look first.
/// </summary>
internal static class StartupCost
{
    public static string Describe()
    {
        using var process = Process.GetCurrentProcess();
        var since = DateTime.Now - process.StartTime;
        var paused = GC.GetTotalPauseDuration();
        return string.Create(CultureInfo.InvariantCulture,
            $"{since.TotalSeconds:0.00} s after the process started, {process.TotalProcessorTime.TotalSeconds:0.00} s of CPU; " +
            $"GC: {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} collections (gen0/1/2), " +
            $"{paused.TotalMilliseconds:0} ms paused, {GC.GetTotalAllocatedBytes() / (1024.0 * 1024):0} MiB allocated");
    }
}
