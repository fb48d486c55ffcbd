using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>
/// <c>struct bpf_object_open_opts</c> of libbpf 1.1 (80 bytes on 64-bit). <c>sz</c> tells
/// libbpf how much of the struct we know, so a newer libbpf accepts it unchanged.
/// </summary>
[StructLayout(LayoutKind.Explicit, Size = 80)]
internal unsafe struct BpfObjectOpenOpts
{
    [FieldOffset(0)] public nuint Sz;
    [FieldOffset(8)] public byte* ObjectName;
    [FieldOffset(16)] public byte RelaxedMaps;
    [FieldOffset(24)] public byte* PinRootPath;
    [FieldOffset(40)] public byte* Kconfig;
    [FieldOffset(48)] public byte* BtfCustomPath;
    [FieldOffset(56)] public byte* KernelLogBuf;
    [FieldOffset(64)] public nuint KernelLogSize;
    [FieldOffset(72)] public uint KernelLogLevel;
}
