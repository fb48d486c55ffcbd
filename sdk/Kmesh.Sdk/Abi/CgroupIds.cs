using System.Runtime.InteropServices;

namespace Kmesh.Sdk.Abi;

/// <summary>
/// The id the kernel gives a cgroup v2 directory: what <c>bpf_get_current_cgroup_id()</c> and
/// <c>bpf_get_current_ancestor_cgroup_id()</c> return in a program, and <c>km_ctx.cgroup_id</c>
/// holds. It is the directory's inode number on the cgroup2 filesystem.
/// </summary>
public static unsafe partial class CgroupIds
{
    private const int AtFdCwd = -100, StatxIno = 0x100;

    /// <summary>The id of the cgroup v2 directory at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">The path is not a directory that can be looked at.</exception>
    public static ulong Of(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!Directory.Exists(path))
            throw new ArgumentException($"cgroup '{path}' does not exist");
        // struct statx is the same on every architecture (unlike struct stat): stx_ino at byte 32.
        var buffer = stackalloc byte[256];
        if (statx(AtFdCwd, path, 0, StatxIno, buffer) != 0)
            throw new ArgumentException($"cannot stat cgroup '{path}': errno {Marshal.GetLastPInvokeError()}");
        return *(ulong*)(buffer + 32);
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);
}
