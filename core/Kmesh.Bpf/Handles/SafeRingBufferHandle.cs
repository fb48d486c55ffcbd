using System.Runtime.InteropServices;
using Kmesh.Bpf.Interop;
using Microsoft.Win32.SafeHandles;

namespace Kmesh.Bpf.Handles;

/// <summary>
/// Owns a libbpf <c>struct ring_buffer *</c> and the GCHandle its callback context points to.
/// Every poll holds a reference, so a Dispose on another thread frees both only once the poll
/// has returned: no callback can run after the GCHandle is gone.
/// </summary>
internal sealed class SafeRingBufferHandle : SafeHandleZeroOrMinusOneIsInvalid
{
    private GCHandle _context;

    internal SafeRingBufferHandle(nint rb, GCHandle context) : base(ownsHandle: true)
    {
        SetHandle(rb);
        _context = context;
    }

    protected override bool ReleaseHandle()
    {
        Libbpf.ring_buffer__free(handle);
        if (_context.IsAllocated)
            _context.Free();
        return true;
    }
}
