using System.Collections.Concurrent;
using System.Globalization;

namespace Kmesh.Sdk.Testing;

/// <summary>
/// Sandbox names, <c>kmt-&lt;pid&gt;-&lt;n&gt;</c>: the creator's pid lets <see cref="KernelSandbox.SweepStale"/>
/// tell a crashed run's leftovers from live sandboxes of other processes.
/// </summary>
internal static class SandboxNames
{
    public const string Prefix = "kmt-";
    public const string NetnsDir = "/run/netns";

    private static readonly ConcurrentDictionary<string, byte> Live = new(StringComparer.Ordinal);
    private static int _counter;

    public static string CgroupPath(string name) => Path.Combine(KernelRequirement.Cgroup2Root, name);

    public static string PinPath(string name) => Path.Combine(KernelRequirement.BpffsRoot, name);

    public static string NetnsPath(string name) => Path.Combine(NetnsDir, name);

    /// <summary>Picks a free name and marks it live before anything is created under it.</summary>
    public static string Reserve()
    {
        while (true)
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}");
            // A dead process that had our pid may have left this name behind: skip it.
            if (File.Exists(NetnsPath(name)) || Directory.Exists(CgroupPath(name)) || Directory.Exists(PinPath(name)))
            {
                continue;
            }
            if (Live.TryAdd(name, 0))
            {
                return name;
            }
        }
    }

    public static void Release(string name) => Live.TryRemove(name, out _);

    /// <summary>The pid embedded in a sandbox name, or null when the name is not one of ours.</summary>
    public static int? Pid(string name)
    {
        if (!name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var parts = name[Prefix.Length..].Split('-');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _)
            ? pid : null;
    }

    /// <summary>
    /// Stale: its creator is dead, or it carries our own pid but this process did not create it
    /// (an earlier process with the same pid crashed). Live sandboxes are never stale.
    /// </summary>
    public static bool IsStale(string name)
    {
        if (Pid(name) is not { } pid)
        {
            return false;
        }
        if (pid == Environment.ProcessId)
        {
            return !Live.ContainsKey(name);
        }
        return !Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Every sandbox name found as a netns, a cgroup or a pin folder.</summary>
    public static IEnumerable<string> Existing()
    {
        static IEnumerable<string> Names(string dir, bool files) =>
            !Directory.Exists(dir) ? []
            : (files ? Directory.EnumerateFiles(dir, Prefix + "*") : Directory.EnumerateDirectories(dir, Prefix + "*"))
                .Select(p => Path.GetFileName(p)!);

        return Names(NetnsDir, files: true)
            .Concat(Names(KernelRequirement.Cgroup2Root, files: false))
            .Concat(Names(KernelRequirement.BpffsRoot, files: false))
            .Where(n => Pid(n) is not null)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }
}
