using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Kmesh.Sdk.Testing.Agent;

/// <summary>
/// connect(2) through libc. .NET's own connect maps errno to SocketError and loses the difference
/// that matters here: an eBPF connect hook that denies gives EPERM, a route that prohibits gives
/// EACCES, and both become SocketError.AccessDenied. Once connected, the fd is handed to a .NET
/// Socket, whose handle constructor fills RemoteEndPoint from getpeername(2) (not from the
/// address we dialled), which is exactly the view a getpeername hook rewrites.
/// </summary>
internal static unsafe partial class NativeConnect
{
    private const int AfInet = 2, AfInet6 = 10;
    private const int SockStream = 1, SockNonblock = 0x800, SockCloexec = 0x80000;
    private const int SolSocket = 1, SoError = 4;
    private const short PollOut = 0x4;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int connect(int fd, byte* addr, int addrlen);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int bind(int fd, byte* addr, int addrlen);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getsockopt(int fd, int level, int name, int* value, int* len);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getpeername(int fd, byte* addr, int* addrlen);

    /// <summary>
    /// getpeername(2) now, on a connected socket (a .NET Socket answers RemoteEndPoint from what it
    /// read at construction): for connections held across a change of the hooks (a daemon restart).
    /// </summary>
    public static IPEndPoint PeerName(Socket socket)
    {
        byte* buffer = stackalloc byte[128];
        int length = 128;
        if (getpeername((int)socket.Handle, buffer, &length) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new ConnectFailedException(Errno.Name(errno), $"getpeername failed: {Errno.Name(errno)}");
        }
        var bytes = new ReadOnlySpan<byte>(buffer, length);
        int port = (bytes[2] << 8) | bytes[3];
        return MemoryMarshal.Read<ushort>(bytes) == AfInet6
            ? new IPEndPoint(new IPAddress(bytes.Slice(8, 16)), port)
            : new IPEndPoint(new IPAddress(bytes.Slice(4, 4)), port);
    }

    /// <summary>
    /// Connects within <paramref name="timeout"/> or throws <see cref="ConnectFailedException"/>;
    /// from <paramref name="source"/> (any port) when given, as a client with its own address would.
    /// </summary>
    public static Socket Connect(IPEndPoint remote, TimeSpan timeout, IPAddress? source = null)
    {
        bool v6 = remote.AddressFamily == AddressFamily.InterNetworkV6;
        int fd = socket(v6 ? AfInet6 : AfInet, SockStream | SockNonblock | SockCloexec, 0);
        if (fd < 0)
        {
            throw Failed(Marshal.GetLastPInvokeError(), remote, "socket");
        }

        try
        {
            if (source is not null)
                Bind(fd, new IPEndPoint(source, 0));
            WaitConnected(fd, remote, timeout);
        }
        catch
        {
            close(fd);
            throw;
        }

        return new Socket(new SafeSocketHandle(fd, ownsHandle: true));
    }

    private static void Bind(int fd, IPEndPoint local)
    {
        Span<byte> sockaddr = stackalloc byte[28];
        int length = Encode(local, sockaddr);
        fixed (byte* p = sockaddr)
        {
            if (bind(fd, p, length) < 0)
                throw Failed(Marshal.GetLastPInvokeError(), local, "bind");
        }
    }

    private static void WaitConnected(int fd, IPEndPoint remote, TimeSpan timeout)
    {
        Span<byte> sockaddr = stackalloc byte[28];
        int length = Encode(remote, sockaddr);
        int rc;
        fixed (byte* p = sockaddr)
        {
            rc = connect(fd, p, length);
        }
        if (rc == 0)
        {
            return;
        }

        int errno = Marshal.GetLastPInvokeError();
        if (errno != Errno.EINPROGRESS)
        {
            throw Failed(errno, remote, "connect");
        }

        // Non-blocking connect: wait for writability, then read the outcome from SO_ERROR.
        // EINTR is real here: the runtime signals threads (e.g. to suspend them for a GC).
        long deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        while (true)
        {
            int remaining = (int)Math.Max(0, deadline - Environment.TickCount64);
            var pfd = new PollFd { Fd = fd, Events = PollOut };
            int n = poll(&pfd, 1, remaining);
            if (n > 0)
            {
                break;
            }
            if (n == 0)
            {
                throw Failed(Errno.ETIMEDOUT, remote, "connect");
            }
            int pollErrno = Marshal.GetLastPInvokeError();
            if (pollErrno != Errno.EINTR)
            {
                throw Failed(pollErrno, remote, "poll");
            }
        }

        int soError = 0, size = sizeof(int);
        if (getsockopt(fd, SolSocket, SoError, &soError, &size) != 0)
        {
            throw Failed(Marshal.GetLastPInvokeError(), remote, "getsockopt");
        }
        if (soError != 0)
        {
            throw Failed(soError, remote, "connect");
        }
    }

    /// <summary>Writes a sockaddr_in / sockaddr_in6 and returns its length.</summary>
    private static int Encode(IPEndPoint remote, Span<byte> buffer)
    {
        buffer.Clear();
        bool v6 = remote.AddressFamily == AddressFamily.InterNetworkV6;
        MemoryMarshal.Write(buffer, (ushort)(v6 ? AfInet6 : AfInet)); // sa_family is host order
        buffer[2] = (byte)(remote.Port >> 8);                          // port is network order
        buffer[3] = (byte)remote.Port;
        if (v6)
        {
            remote.Address.TryWriteBytes(buffer.Slice(8, 16), out _);
            MemoryMarshal.Write(buffer[24..], (uint)remote.Address.ScopeId);
            return 28;
        }
        remote.Address.TryWriteBytes(buffer.Slice(4, 4), out _);
        return 16;
    }

    private static ConnectFailedException Failed(int errno, IPEndPoint remote, string call)
    {
        string name = Errno.Name(errno);
        return new ConnectFailedException(name, $"{call} to {remote} failed: {name}");
    }
}
