using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>libbpf's <c>struct bpf_iter_attach_opts</c> (sz, link_info, link_info_len).</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct BpfIterAttachOpts
{
    public nuint Sz;
    public void* LinkInfo;
    public uint LinkInfoLen;
}
