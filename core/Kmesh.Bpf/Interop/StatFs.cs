namespace Kmesh.Bpf.Interop;

/// <summary>File-system type checks (bpffs, cgroup2) through statfs(2).</summary>
internal static unsafe class StatFs
{
    /// <summary>The <c>f_type</c> of the file system holding <paramref name="path"/>; 0 when statfs fails.</summary>
    internal static long Magic(string path)
    {
        // struct statfs is 120 bytes on 64-bit Linux; f_type is its first field.
        byte* buf = stackalloc byte[256];
        return LibC.statfs(path, buf) == 0 ? *(long*)buf : 0;
    }
}
