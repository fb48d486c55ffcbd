namespace Kmesh.Daemon;

/// <summary>Finds where cgroup v2 is mounted (hybrid systems mount it below /sys/fs/cgroup).</summary>
internal static class CgroupV2
{
    public static string Root()
    {
        foreach (var line in File.ReadLines("/proc/self/mounts"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 2 && fields[2] == "cgroup2")
                return fields[1];
        }
        throw new UsageException("no cgroup v2 file system is mounted; mount one or pass --cgroup");
    }
}
