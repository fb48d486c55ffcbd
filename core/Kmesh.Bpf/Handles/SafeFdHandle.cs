using Kmesh.Bpf.Interop;
using Microsoft.Win32.SafeHandles;

namespace Kmesh.Bpf.Handles;

/// <summary>An owned file descriptor (a pinned map opened with bpf_obj_get, for instance).</summary>
internal sealed class SafeFdHandle : SafeHandleMinusOneIsInvalid
{
    internal SafeFdHandle(int fd) : base(ownsHandle: true) => SetHandle(fd);

    internal int Fd => (int)handle;

    protected override bool ReleaseHandle() => LibC.close((int)handle) == 0;
}
