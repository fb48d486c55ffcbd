using System.Runtime.InteropServices;
using Kmesh.Bpf.Handles;
using Kmesh.Bpf.Interop;

namespace Kmesh.Bpf;

/// <summary>
/// One program of a <see cref="BpfObject"/>. Valid while the object lives; its kernel fd exists
/// only after <see cref="BpfObject.Load"/>.
/// </summary>
public sealed class BpfProgram
{
    private readonly BpfObject _owner;

    internal unsafe BpfProgram(BpfObject owner, nint prog)
    {
        _owner = owner;
        Pointer = prog;
        Name = NativeString.Read(Libbpf.bpf_program__name(prog));
        SectionName = NativeString.Read(Libbpf.bpf_program__section_name(prog));
    }

    /// <summary>The C function name.</summary>
    public string Name { get; }

    /// <summary>The ELF section, e.g. <c>cgroup/connect4</c>.</summary>
    public string SectionName { get; }

    /// <summary>The object this program belongs to.</summary>
    public BpfObject Object => _owner;

    /// <summary>The program type libbpf derived from the section name.</summary>
    public BpfProgramType Type => (BpfProgramType)Read(Libbpf.bpf_program__type);

    /// <summary>The expected attach type (matters for cgroup hooks and prog-array compatibility).</summary>
    public BpfAttachType ExpectedAttachType => (BpfAttachType)Read(Libbpf.bpf_program__expected_attach_type);

    /// <summary>Whether Load loads this program (default true). Settable before Load only.</summary>
    public bool Autoload
    {
        get => Read(p => Libbpf.bpf_program__autoload(p)) != 0;
        set
        {
            _owner.ThrowIfNotOpened($"Changing autoload of program '{Name}'");
            int rc = Read(p => Libbpf.bpf_program__set_autoload(p, value ? (byte)1 : (byte)0));
            if (rc < 0)
                throw new BpfException("set autoload", $"program '{Name}'", -rc);
        }
    }

    /// <summary>True when the program has a kernel fd (the object is loaded and it was autoloaded).</summary>
    public bool IsLoaded => !_owner.Handle.IsClosed && _owner.IsLoaded && Read(Libbpf.bpf_program__fd) >= 0;

    /// <summary>The kernel's program id (as listed by bpftool and cgroup queries).</summary>
    public unsafe uint Id
    {
        get
        {
            using var lease = Lease();
            BpfProgInfoHead info = default;
            uint len = (uint)sizeof(BpfProgInfoHead);
            int rc = Libbpf.bpf_obj_get_info_by_fd(lease.Fd, &info, &len);
            if (rc < 0)
                throw new BpfException("get program info", $"program '{Name}'", -rc);
            return info.Id;
        }
    }

    internal nint Pointer { get; }

    /// <summary>
    /// Attaches the program to a cgroup v2 through a bpf_link (multi-attach semantics: programs of
    /// others on the same hook stay). Disposing the returned link detaches it; the link outlives
    /// the object if need be.
    /// </summary>
    /// <exception cref="BpfException">The kernel refused the attachment.</exception>
    public BpfLink AttachCgroup(CgroupHandle cgroup)
    {
        ArgumentNullException.ThrowIfNull(cgroup);
        using var lease = Lease();
        bool added = false;
        cgroup.DangerousAddRef(ref added);
        try
        {
            nint link = Libbpf.bpf_program__attach_cgroup(Pointer, (int)cgroup.DangerousGetHandle());
            if (link == 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new BpfException("attach to cgroup", $"program '{Name}' ({SectionName}) on '{cgroup.Path}'", errno);
            }
            return new BpfLink(link);
        }
        finally
        {
            if (added)
                cgroup.DangerousRelease();
        }
    }

    /// <summary>
    /// Attaches the program to a map: an <c>sk_msg</c> program to a sockmap or sockhash as
    /// <see cref="BpfAttachType.SkMsgVerdict"/>, so that it runs for every send on the map's sockets.
    /// </summary>
    public MapAttachment AttachToMap(BpfMap map, BpfAttachType type)
    {
        ArgumentNullException.ThrowIfNull(map);
        return MapAttachment.Attach(this, map, type);
    }

    /// <summary>
    /// The raw program fd, owned by the object: do not close it, do not use it after the object is
    /// disposed. For the core's plumbing (e.g. prog-array slots); prefer the typed helpers.
    /// </summary>
    public int DangerousGetFd()
    {
        using var lease = Lease();
        return lease.Fd;
    }

    /// <summary>References the object and returns the program fd; throws when not loaded.</summary>
    internal FdLease Lease()
    {
        var owner = FdLease.AddRef(_owner.Handle);
        int fd = _owner.IsLoaded ? Libbpf.bpf_program__fd(Pointer) : -1;
        if (fd < 0)
        {
            owner.DangerousRelease();
            _owner.ThrowIfNotLoaded($"Program '{Name}'");
            throw new InvalidOperationException($"Program '{Name}' of object '{_owner.Name}' was not loaded (autoload off).");
        }
        return new FdLease(owner, fd);
    }

    private T Read<T>(Func<nint, T> read)
    {
        var owner = FdLease.AddRef(_owner.Handle);
        try
        {
            return read(Pointer);
        }
        finally
        {
            owner.DangerousRelease();
        }
    }
}
