using Kmesh.Bpf.Interop;
using Microsoft.Win32.SafeHandles;

namespace Kmesh.Bpf.Handles;

/// <summary>Owns a <c>struct btf *</c> parsed from an ELF file.</summary>
internal sealed class SafeBtfHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    internal SafeBtfHandle(nint btf) : base(ownsHandle: true) => SetHandle(btf);

    protected override bool ReleaseHandle()
    {
        Libbpf.btf__free(handle);
        return true;
    }
}
