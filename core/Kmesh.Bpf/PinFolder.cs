using Kmesh.Bpf.Interop;

namespace Kmesh.Bpf;

/// <summary>Folders on bpffs that hold pinned maps, programs and links.</summary>
public static class PinFolder
{
    /// <summary>The usual bpffs mount point.</summary>
    public const string DefaultRoot = "/sys/fs/bpf";

    /// <summary>The statfs magic of bpffs (BPF_FS_MAGIC).</summary>
    private const long BpfFsMagic = 0xcafe4a11;

    /// <summary>True when <paramref name="path"/> exists on a bpf file system.</summary>
    public static bool IsOnBpffs(string path) => Path.Exists(path) && StatFs.Magic(path) == BpfFsMagic;

    /// <summary>Creates <paramref name="path"/> (and missing parents) on bpffs.</summary>
    /// <exception cref="InvalidOperationException">The path is not on bpffs (mount it: <c>mount -t bpf bpf /sys/fs/bpf</c>).</exception>
    public static void Create(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        // Check the nearest existing ancestor first, so nothing is created on the wrong file system.
        string? probe = full;
        while (probe is not null && !Directory.Exists(probe))
            probe = Path.GetDirectoryName(probe);
        if (probe is null || StatFs.Magic(probe) != BpfFsMagic)
            throw new InvalidOperationException($"'{full}' is not on bpffs; mount it first (mount -t bpf bpf {DefaultRoot}).");
        Directory.CreateDirectory(full);
    }

    /// <summary>
    /// Unpins everything below <paramref name="path"/> and removes the folders. Objects still used
    /// by fds or programs live on; only the names go. A missing folder is not an error.
    /// </summary>
    public static void Remove(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        if (!Directory.Exists(full))
            return;
        if (StatFs.Magic(full) != BpfFsMagic)
            throw new InvalidOperationException($"Refusing to remove '{full}': it is not on bpffs.");
        Remove(new DirectoryInfo(full));
    }

    private static void Remove(DirectoryInfo dir)
    {
        foreach (var entry in dir.EnumerateFileSystemInfos())
        {
            if (entry is DirectoryInfo sub && sub.LinkTarget is null)
                Remove(sub);
            else
                entry.Delete(); // unlink(2) is what unpins
        }
        dir.Delete();
    }
}
