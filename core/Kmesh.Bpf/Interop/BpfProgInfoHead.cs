using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>
/// The first 16 bytes of <c>struct bpf_prog_info</c>: type, id and tag. Asking for a prefix
/// is allowed, and it avoids the pointer fields the kernel would otherwise write through.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct BpfProgInfoHead
{
    public uint Type;
    public uint Id;
    public fixed byte Tag[8];
}
