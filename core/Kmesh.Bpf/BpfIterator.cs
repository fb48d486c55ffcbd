using System.Buffers;
using System.Runtime.InteropServices;
using Kmesh.Bpf.Interop;

namespace Kmesh.Bpf;

/// <summary>
/// A BPF iterator program (<c>SEC("iter/...")</c>) attached and ready to run: each
/// <see cref="Read()"/> walks the kernel objects once (every TCP socket of a network namespace, for iter/tcp) and
/// returns what the program wrote with bpf_seq_write/bpf_seq_printf. Disposing detaches it.
/// </summary>
public sealed class BpfIterator : IDisposable
{
    private readonly BpfLink _link;

    private BpfIterator(BpfLink link, string name)
    {
        _link = link;
        Name = name;
    }

    /// <summary>The program's name.</summary>
    public string Name { get; }

    /// <summary>
    /// Attaches <paramref name="program"/> (loaded, of an iter section) as an iterator; a map
    /// iterator (<c>iter/bpf_map_elem</c>, <c>iter/bpf_sk_storage_map</c>) walks <paramref name="map"/>.
    /// </summary>
    /// <exception cref="BpfException">The kernel refused the attachment.</exception>
    public static unsafe BpfIterator Attach(BpfProgram program, BpfMap? map = null)
    {
        ArgumentNullException.ThrowIfNull(program);
        using var lease = program.Lease();
        nint link;
        int errno;
        if (map is null)
        {
            link = Libbpf.bpf_program__attach_iter(program.Pointer, null);
            errno = Marshal.GetLastPInvokeError();
        }
        else
        {
            using var mapLease = map.Lease();
            // union bpf_iter_link_info { struct { __u32 map_fd; } map; ... }: only map_fd is passed.
            uint mapFd = (uint)mapLease.Fd;
            var opts = new BpfIterAttachOpts { Sz = (nuint)sizeof(BpfIterAttachOpts), LinkInfo = &mapFd, LinkInfoLen = sizeof(uint) };
            link = Libbpf.bpf_program__attach_iter(program.Pointer, &opts);
            errno = Marshal.GetLastPInvokeError();
        }
        if (link == 0)
            throw new BpfException("attach iterator", $"program '{program.Name}' ({program.SectionName}){(map is null ? "" : $" on map '{map.Name}'")}", errno);
        return new BpfIterator(new BpfLink(link), program.Name);
    }

    /// <summary>
    /// Runs the iterator once and returns its whole output. Each call is a fresh walk; the
    /// kernel produces it as it is read, so a walk holds no lock for longer than a batch of sockets.
    /// </summary>
    /// <exception cref="BpfException">The iterator could not be created or read.</exception>
    public byte[] Read() => Read(null);

    /// <summary>
    /// Runs the iterator once as seen from the network namespace <paramref name="netnsPath"/>
    /// (e.g. <c>/proc/PID/ns/net</c>; null: this thread's). Iterators over a namespace's objects
    /// (iter/tcp, iter/udp) see the namespace of the thread that creates them, so the iterator is
    /// created on a short-lived thread of its own that joins the namespace first (CLONE_NEWNET is
    /// per thread); the process's own threads never change namespace.
    /// </summary>
    /// <exception cref="BpfException">The namespace could not be joined, or the iterator created or read.</exception>
    public unsafe byte[] Read(string? netnsPath)
    {
        int fd = netnsPath is null ? Libbpf.bpf_iter_create(_link.DangerousGetFd()) : CreateIn(netnsPath);
        if (fd < 0)
            throw new BpfException("create iterator", $"program '{Name}'{(netnsPath is null ? "" : $" in {netnsPath}")}", -fd);
        var output = new ArrayBufferWriter<byte>(4096);
        try
        {
            while (true)
            {
                var span = output.GetSpan(16384);
                nint n;
                fixed (byte* p = span)
                    n = LibC.read(fd, p, (nuint)span.Length);
                if (n == 0)
                    break;
                if (n < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    const int EINTR = 4, EAGAIN = 11;
                    if (errno is EINTR or EAGAIN)
                        continue;
                    throw new BpfException("read iterator", $"program '{Name}'", errno);
                }
                output.Advance((int)n);
            }
        }
        finally
        {
            LibC.close(fd);
        }
        return output.WrittenSpan.ToArray();
    }

    /// <summary>bpf_iter_create on a thread that first joins <paramref name="netnsPath"/>; the fd or a negative errno.</summary>
    private int CreateIn(string netnsPath)
    {
        int result = -Errno.EBADF;
        int linkFd = _link.DangerousGetFd();
        var thread = new Thread(() =>
        {
            int ns = LibC.open(netnsPath, LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
            if (ns < 0)
            {
                result = -Marshal.GetLastPInvokeError();
                return;
            }
            try
            {
                // The thread ends right after: it never has to come back to the original namespace.
                if (LibC.setns(ns, LibC.CLONE_NEWNET) != 0)
                {
                    result = -Marshal.GetLastPInvokeError();
                    return;
                }
                result = Libbpf.bpf_iter_create(linkFd);
            }
            finally
            {
                LibC.close(ns);
            }
        }) { IsBackground = true, Name = "kmesh iterator netns" };
        bool added = false;
        _link.DangerousAddRef(ref added);
        try
        {
            thread.Start();
            thread.Join();
        }
        finally
        {
            _link.DangerousRelease();
        }
        return result;
    }

    /// <summary>Detaches the iterator.</summary>
    public void Dispose() => _link.Dispose();
}
