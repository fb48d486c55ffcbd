using System.Globalization;

namespace Kmesh.Sdk.Testing;

/// <summary>
/// Removes a sandbox's kernel objects. Each step is best effort and reports what it could not do,
/// so one failure (say, a busy cgroup) does not leave the other objects behind.
/// </summary>
internal static class SandboxCleanup
{
    private static readonly TimeSpan IpTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Removes netns, cgroup and pin folder of <paramref name="name"/>; adds a line per failure.</summary>
    public static void RemoveAll(string name, List<string> problems)
    {
        Try(problems, $"netns {name}", () => RemoveNetns(name));
        Try(problems, SandboxNames.CgroupPath(name), () => RemoveCgroup(SandboxNames.CgroupPath(name)));
        Try(problems, SandboxNames.PinPath(name), () => RemovePins(SandboxNames.PinPath(name)));
    }

    public static void RemoveNetns(string name)
    {
        if (!File.Exists(SandboxNames.NetnsPath(name)))
        {
            return;
        }
        var result = Shell.Run(KernelRequirement.IpPath, ["netns", "del", name], IpTimeout);
        if (result.ExitCode != 0 && File.Exists(SandboxNames.NetnsPath(name)))
        {
            throw new InvalidOperationException($"`ip netns del {name}` failed: {result.Stderr.Trim()}");
        }
    }

    /// <summary>Moves any process left inside to the root cgroup, then removes the cgroup tree bottom-up.</summary>
    public static void RemoveCgroup(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }
        foreach (var child in Directory.GetDirectories(path))
        {
            RemoveCgroup(child);
        }

        // A cgroup with member processes cannot be removed; a freshly killed one may take a moment.
        for (int attempt = 0; ; attempt++)
        {
            EvictProcesses(path);
            try
            {
                Directory.Delete(path); // rmdir(2): cgroupfs control files go with the directory
                return;
            }
            catch (IOException) when (attempt < 50)
            {
                Thread.Sleep(20);
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
        }
    }

    /// <summary>Unpins everything below <paramref name="path"/> (rm of the pin files), then removes the folders.</summary>
    public static void RemovePins(string path)
    {
        if (!Directory.Exists(path))
        {
            return;
        }
        foreach (var child in Directory.GetDirectories(path))
        {
            RemovePins(child);
        }
        foreach (var pin in Directory.GetFiles(path))
        {
            File.Delete(pin);
        }
        Directory.Delete(path);
    }

    private static void EvictProcesses(string cgroup)
    {
        string procs = Path.Combine(cgroup, "cgroup.procs");
        if (!File.Exists(procs))
        {
            return;
        }
        string root = Path.Combine(KernelRequirement.Cgroup2Root, "cgroup.procs");
        foreach (var line in File.ReadAllLines(procs))
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                try
                {
                    File.WriteAllText(root, pid.ToString(CultureInfo.InvariantCulture));
                }
                catch (IOException)
                {
                    // ESRCH: it exited meanwhile, which is just as good.
                }
            }
        }
    }

    private static void Try(List<string> problems, string what, Action action)
    {
        try
        {
            action();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException or TimeoutException)
        {
            problems.Add($"{what}: {e.Message}");
        }
    }
}
