using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Handles;

/// <summary>
/// Keeps the SafeHandle that guarantees <see cref="Fd"/> is open referenced for the duration
/// of one native call, so a concurrent Dispose cannot close (and recycle) the fd mid-call.
/// A ref struct: taking a lease allocates nothing.
/// </summary>
internal readonly ref struct FdLease
{
    private readonly SafeHandle _owner;

    internal FdLease(SafeHandle owner, int fd)
    {
        _owner = owner;
        Fd = fd;
    }

    internal int Fd { get; }

    /// <summary>Adds a reference on <paramref name="owner"/>; throws ObjectDisposedException when closed.</summary>
    internal static SafeHandle AddRef(SafeHandle owner)
    {
        bool added = false;
        owner.DangerousAddRef(ref added);
        return owner;
    }

    public void Dispose() => _owner.DangerousRelease();
}
