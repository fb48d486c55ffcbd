namespace Kmesh.Sdk.Testing.Agent;

/// <summary>Moves the whole agent process into a cgroup v2 directory.</summary>
internal static class CgroupJoin
{
    /// <param name="cgroupDir">The cgroup directory as the launcher sees it, e.g. /sys/fs/cgroup/unified/kmt-1-1.</param>
    public static void Join(string cgroupDir)
    {
        string procs = Path.Combine(cgroupDir, "cgroup.procs");

        // `ip netns exec` unshares the mount namespace and mounts a fresh sysfs on /sys, which
        // hides the cgroup2 mount below it. The launcher still sees it, so go through its root.
        if (!File.Exists(procs))
        {
            string viaParent = $"/proc/{ProcInfo.ParentPid()}/root{Path.GetFullPath(procs)}";
            if (!File.Exists(viaParent))
            {
                throw new FileNotFoundException($"neither {procs} nor {viaParent} exists");
            }
            procs = viaParent;
        }

        // Writing our pid moves every thread of the process (cgroup v2 moves thread groups).
        File.WriteAllText(procs, Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));

        string expected = "/" + Path.GetFileName(Path.TrimEndingDirectorySeparator(cgroupDir));
        string actual = ProcInfo.Cgroup();
        if (!actual.EndsWith(expected, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"still in cgroup '{actual}' after writing to {procs}");
        }
    }
}
