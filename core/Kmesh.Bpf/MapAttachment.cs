using Kmesh.Bpf.Handles;
using Kmesh.Bpf.Interop;

namespace Kmesh.Bpf;

/// <summary>
/// A program attached to a map (an sk_msg or sk_skb verdict on a sockmap/sockhash), which has
/// no bpf_link in the kernels we support (sockmap links came with Linux 6.10). Disposing detaches
/// it. Attaching another program to the same map and hook replaces this one atomically. The program's and the map's
/// fds are kept open until then, so the detach always names the right objects.
/// </summary>
public sealed class MapAttachment : IDisposable
{
    private readonly HeldFd _program;
    private readonly HeldFd _map;
    private readonly BpfAttachType _type;
    private int _detached;

    private MapAttachment(HeldFd program, HeldFd map, BpfAttachType type)
    {
        _program = program;
        _map = map;
        _type = type;
    }

    internal static MapAttachment Attach(BpfProgram program, BpfMap map, BpfAttachType type)
    {
        using var programLease = program.Lease();
        using var mapLease = map.Lease();
        int rc = Libbpf.bpf_prog_attach(programLease.Fd, mapLease.Fd, (int)type, 0);
        if (rc < 0)
            throw new BpfException("attach to map", $"program '{program.Name}' ({program.SectionName}) to map '{map.Name}' as {type}", -rc);
        return new MapAttachment(programLease.Hold(), mapLease.Hold(), type);
    }

    /// <summary>
    /// Lets go of the attachment without detaching: the map keeps the program attached for as
    /// long as the map lives (e.g. pinned), which is how a daemon leaves its data path running.
    /// </summary>
    public void Leave()
    {
        if (Interlocked.Exchange(ref _detached, 1) != 0)
            return;
        _map.Dispose();
        _program.Dispose();
    }

    /// <summary>Detaches the program from the map.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _detached, 1) != 0)
            return;
        // A failure means the map or the program is already gone, which detached it anyway.
        _ = Libbpf.bpf_prog_detach2(_program.Fd, _map.Fd, (int)_type);
        _map.Dispose();
        _program.Dispose();
    }
}
