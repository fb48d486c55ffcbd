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

    /// <summary>A reference of its own that outlives this lease (an attachment must detach later).</summary>
    internal HeldFd Hold() => new(AddRef(_owner), Fd);

    public void Dispose() => _owner.DangerousRelease();
}

/// <summary>An fd kept open until disposed, by a reference on its owner.</summary>
internal sealed class HeldFd : IDisposable
{
    private readonly SafeHandle _owner;
    private int _released;

    internal HeldFd(SafeHandle owner, int fd)
    {
        _owner = owner;
        Fd = fd;
    }

    internal int Fd { get; }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
            _owner.DangerousRelease();
    }
}
