using System.Runtime.InteropServices;
using Kmesh.Bpf.Interop;
using Microsoft.Win32.SafeHandles;

namespace Kmesh.Bpf;

/// <summary>An open cgroup v2 directory (<c>O_RDONLY|O_DIRECTORY</c>), the target of cgroup attachments.</summary>
public sealed class CgroupHandle : SafeHandleMinusOneIsInvalid
{
    /// <summary>The statfs magic of cgroup2 (CGROUP2_SUPER_MAGIC).</summary>
    private const long Cgroup2Magic = 0x63677270;

    private CgroupHandle(int fd, string path) : base(ownsHandle: true)
    {
        SetHandle(fd);
        Path = path;
    }

    /// <summary>The cgroup directory this handle was opened from.</summary>
    public string Path { get; }

    /// <summary>Opens a cgroup v2 directory, e.g. <c>/sys/fs/cgroup/unified/kmesh</c>.</summary>
    /// <exception cref="ArgumentException">The path is not on a cgroup2 file system.</exception>
    /// <exception cref="BpfException">open(2) failed.</exception>
    public static CgroupHandle Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = System.IO.Path.GetFullPath(path);
        int fd = LibC.open(full, LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_CLOEXEC, 0);
        if (fd < 0)
            throw new BpfException("open cgroup", $"'{full}'", Marshal.GetLastPInvokeError());
        var handle = new CgroupHandle(fd, full);
        if (StatFs.Magic(full) != Cgroup2Magic)
        {
            handle.Dispose();
            throw new ArgumentException($"'{full}' is not a cgroup v2 directory (bpf cgroup hooks need cgroup2).", nameof(path));
        }
        return handle;
    }

    /// <summary>True when <paramref name="path"/> is a directory on a cgroup2 file system.</summary>
    public static bool IsCgroup2(string path) => Directory.Exists(path) && StatFs.Magic(path) == Cgroup2Magic;

    /// <summary>
    /// Ids of the programs attached to this cgroup for <paramref name="type"/>
    /// (<c>bpf_prog_query</c>). With <paramref name="effective"/>, those inherited from ancestors too.
    /// </summary>
    public unsafe uint[] QueryPrograms(BpfAttachType type, bool effective = false)
    {
        const uint BpfFQueryEffective = 1;
        uint flags = effective ? BpfFQueryEffective : 0;
        bool added = false;
        DangerousAddRef(ref added);
        try
        {
            int fd = (int)handle;
            // Ask for the count first, then the ids; retry if programs were attached in between.
            for (int attempt = 0; ; attempt++)
            {
                uint attachFlags = 0, count = 0;
                int rc = Libbpf.bpf_prog_query(fd, (int)type, flags, &attachFlags, null, &count);
                if (rc < 0)
                    throw new BpfException("query attached programs", $"cgroup '{Path}' ({type})", -rc);
                if (count == 0)
                    return [];
                var ids = new uint[count + 4];
                uint capacity = (uint)ids.Length;
                fixed (uint* p = ids)
                    rc = Libbpf.bpf_prog_query(fd, (int)type, flags, &attachFlags, p, &capacity);
                if (rc == 0)
                    return ids[..(int)capacity];
                if (-rc != Errno.ENOSPC || attempt == 3)
                    throw new BpfException("query attached programs", $"cgroup '{Path}' ({type})", -rc);
            }
        }
        finally
        {
            DangerousRelease();
        }
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle() => LibC.close((int)handle) == 0;
}
