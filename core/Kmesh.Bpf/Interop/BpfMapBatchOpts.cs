using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary><c>struct bpf_map_batch_opts</c> (24 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct BpfMapBatchOpts
{
    public nuint Sz;
    public ulong ElemFlags;
    public ulong Flags;
}
