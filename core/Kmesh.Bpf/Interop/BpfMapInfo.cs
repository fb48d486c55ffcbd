using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>
/// <c>struct bpf_map_info</c> as of Linux 6.1 (88 bytes). The kernel copies only the prefix
/// both sides know, so an older or newer kernel is fine.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 88)]
internal unsafe struct BpfMapInfo
{
    [FieldOffset(0)] public uint Type;
    [FieldOffset(4)] public uint Id;
    [FieldOffset(8)] public uint KeySize;
    [FieldOffset(12)] public uint ValueSize;
    [FieldOffset(16)] public uint MaxEntries;
    [FieldOffset(20)] public uint MapFlags;
    [FieldOffset(24)] public fixed byte Name[16];
}
