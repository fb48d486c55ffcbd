using Kmesh.Bpf.Interop;
using Microsoft.Win32.SafeHandles;

namespace Kmesh.Bpf.Handles;

/// <summary>
/// Owns a <c>struct bpf_object *</c>. Programs and maps of the object are borrowed pointers
/// into it, so their wrappers add a reference to this handle around every native call.
/// </summary>
internal sealed class SafeBpfObjectHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    public SafeBpfObjectHandle() : base(ownsHandle: true)
    {
    }

    internal SafeBpfObjectHandle(nint obj) : base(ownsHandle: true) => SetHandle(obj);

    protected override bool ReleaseHandle()
    {
        // Closes every program and map fd of the object; pins and links live on by themselves.
        Libbpf.bpf_object__close(handle);
        return true;
    }
}
