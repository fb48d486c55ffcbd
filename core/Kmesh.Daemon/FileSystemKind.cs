using System.Runtime.InteropServices;

namespace Kmesh.Daemon;

/// <summary>
/// What file system a path is on (statfs's f_type), so that a command line pointing the daemon
/// at the wrong kind of folder is refused in one line before anything is attached or pinned.
/// </summary>
internal static partial class FileSystemKind
{
    public const long Cgroup2 = 0x63677270;
    public const long Cgroup1 = 0x27e0eb;
    public const long Bpf = 0xcafe4a11;

    private static readonly Dictionary<long, string> Names = new()
    {
        [Cgroup2] = "cgroup2", [Cgroup1] = "cgroup (v1)", [Bpf] = "bpf", [0xEF53] = "ext4", [0x01021994] = "tmpfs",
        [0x9fa0] = "proc", [0x62656572] = "sysfs", [0x58465342] = "xfs", [0x9123683E] = "btrfs", [0x794c7630] = "overlay",
        [0x858458f6] = "ramfs", [0x6e736673] = "nsfs", [0x73636673] = "securityfs", [0x64626720] = "debugfs", [0x74726163] = "tracefs",
    };

    /// <summary>The f_type of the file system <paramref name="path"/> is on, or null if it cannot be asked.</summary>
    public static long? Of(string path)
    {
        // struct statfs is 120 bytes on 64-bit Linux and f_type (a long) comes first everywhere.
        var buffer = new byte[256];
        return StatFs(path, buffer) == 0 ? BitConverter.ToInt64(buffer, 0) : null;
    }

    /// <summary>A name for people: <c>ext4</c>, <c>tmpfs</c>, or the magic number.</summary>
    public static string Name(long type) => Names.TryGetValue(type, out var name) ? name : $"0x{type:x}";

    [LibraryImport("libc", EntryPoint = "statfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int StatFs(string path, [Out] byte[] buffer);
}
