using System.Runtime.InteropServices;

namespace Kmesh.Bpf;

/// <summary>A link as the kernel reports it (<c>struct bpf_link_info</c>, the fields we use).</summary>
/// <param name="Id">The link's id (bpftool link show).</param>
/// <param name="ProgramId">The program the link runs now.</param>
/// <param name="CgroupId">For a cgroup link, the cgroup's id (its directory's inode number on cgroup2); else null.</param>
public sealed record BpfLinkInfo(uint Id, uint ProgramId, ulong? CgroupId);

/// <summary>The head of <c>struct bpf_link_info</c> up to the cgroup member of its union.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BpfLinkInfoRaw
{
    /// <summary>BPF_LINK_TYPE_CGROUP.</summary>
    public const uint CgroupType = 3;

    public uint Type;
    public uint Id;
    public uint ProgId;
    private uint _pad;
    public ulong CgroupId;
    public uint AttachType;
    private uint _pad2;
    // The union is larger for other link types; the kernel writes at most the length we pass.
    private ulong _rest0, _rest1, _rest2, _rest3;
}
