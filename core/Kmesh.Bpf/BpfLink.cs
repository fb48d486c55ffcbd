using System.Runtime.InteropServices;
using Kmesh.Bpf.Interop;
using Microsoft.Win32.SafeHandles;

namespace Kmesh.Bpf;

/// <summary>
/// An attachment (libbpf <c>struct bpf_link *</c>). Disposing destroys the link, which detaches
/// the program - unless the link was pinned, in which case the pin keeps it attached.
/// </summary>
/// <remarks>
/// The kernel detaches when the last reference to the link's file is gone. A child process
/// forked at that moment holds a copy of every fd until it execs (bpf fds are O_CLOEXEC), so
/// in a process that spawns children the detach can trail Dispose by a few milliseconds.
/// </remarks>
public sealed class BpfLink : SafeHandleZeroOrMinusOneIsInvalid
{
    /// <summary>For the marshaller; links come from <see cref="BpfProgram.AttachCgroup"/> or <see cref="OpenPinned"/>.</summary>
    public BpfLink() : base(ownsHandle: true)
    {
    }

    internal BpfLink(nint link) : base(ownsHandle: true) => SetHandle(link);

    /// <summary>Opens a link pinned on bpffs (e.g. by a previous daemon run).</summary>
    public static BpfLink OpenPinned(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        nint link = Libbpf.bpf_link__open(path);
        if (link == 0)
            throw new BpfException("open pinned link", $"'{path}'", Marshal.GetLastPInvokeError());
        return new BpfLink(link);
    }

    /// <summary>Pins the link at <paramref name="path"/> on bpffs so it survives this process.</summary>
    public void Pin(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        int rc = With(h => Libbpf.bpf_link__pin(h, path));
        if (rc < 0)
            throw new BpfException("pin link", $"'{path}'", -rc);
    }

    /// <summary>Removes the pin made by <see cref="Pin"/>; the link then lives as long as this handle.</summary>
    public void Unpin()
    {
        int rc = With(Libbpf.bpf_link__unpin);
        if (rc < 0)
            throw new BpfException("unpin link", null, -rc);
    }

    /// <summary>
    /// Points the attached link at <paramref name="program"/> (BPF_LINK_UPDATE): the kernel swaps
    /// the program in place, so the hook is never without one - no detach-then-attach gap. The
    /// program must be of the link's type and attach type.
    /// </summary>
    public void Update(BpfProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        using var lease = program.Lease();
        int rc = With(h => Libbpf.bpf_link__update_program(h, program.Pointer));
        if (rc < 0)
            throw new BpfException("update link", $"to program '{program.Name}' ({program.SectionName})", -rc);
    }

    /// <summary>The kernel's view of the link: its id, the program it runs and, for a cgroup link, the cgroup.</summary>
    public unsafe BpfLinkInfo Info()
    {
        BpfLinkInfoRaw info = default;
        uint len = (uint)sizeof(BpfLinkInfoRaw);
        int rc;
        bool added = false;
        DangerousAddRef(ref added);
        try
        {
            rc = Libbpf.bpf_obj_get_info_by_fd(Libbpf.bpf_link__fd(handle), &info, &len);
        }
        finally
        {
            DangerousRelease();
        }
        if (rc < 0)
            throw new BpfException("get link info", null, -rc);
        return new BpfLinkInfo(info.Id, info.ProgId, info.Type == BpfLinkInfoRaw.CgroupType ? info.CgroupId : null);
    }

    /// <summary>The raw link fd, owned by this handle: do not close it.</summary>
    public int DangerousGetFd() => With(Libbpf.bpf_link__fd);

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        // Closes the link fd; the kernel detaches a link whose last reference is gone.
        return Libbpf.bpf_link__destroy(handle) == 0;
    }

    private int With(Func<nint, int> call)
    {
        bool added = false;
        DangerousAddRef(ref added);
        try
        {
            return call(handle);
        }
        finally
        {
            DangerousRelease();
        }
    }
}
