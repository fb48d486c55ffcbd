namespace Kmesh.Daemon;

/// <summary>Finds where cgroup v2 is mounted (hybrid systems mount it below /sys/fs/cgroup).</summary>
internal static class CgroupV2
{
    public static string Root() =>
        TryRoot() ?? throw new UsageException("no cgroup v2 file system is mounted; mount one (mount -t cgroup2 none /sys/fs/cgroup) or pass --cgroup");

    /// <summary>The first cgroup2 mount point, or null when none is mounted.</summary>
    public static string? TryRoot()
    {
        foreach (var line in File.ReadLines("/proc/self/mounts"))
        {
            var fields = line.Split(' ');
            if (fields.Length > 2 && fields[2] == "cgroup2")
                return fields[1];
        }
        return null;
    }

    /// <summary>
    /// Why <paramref name="path"/> cannot be governed (one line, saying what to pass instead), or
    /// null when it is a cgroup v2 directory. BPF cgroup programs attach only to cgroup v2: a
    /// folder of a v1 hierarchy or of any other file system fails deep in the attach otherwise.
    /// </summary>
    public static string? Problem(string path)
    {
        var instead = TryRoot() is { } root ? $"pass a directory under {root}" : "mount cgroup v2 (mount -t cgroup2 none /sys/fs/cgroup) and pass a directory under it";
        if (File.Exists(path))
            return $"--cgroup {path}: is a file, not a cgroup directory; {instead}";
        if (!Directory.Exists(path))
            return $"--cgroup {path}: no such directory; {instead}";
        return FileSystemKind.Of(path) switch
        {
            FileSystemKind.Cgroup2 => null,
            FileSystemKind.Cgroup1 => $"--cgroup {path}: is in a cgroup v1 hierarchy, and kmesh attaches to cgroup v2 only; {instead}",
            { } other => $"--cgroup {path}: is not a cgroup (it is on a {FileSystemKind.Name(other)} file system); {instead}",
            null => $"--cgroup {path}: cannot be examined (statfs failed); {instead}",
        };
    }
}
