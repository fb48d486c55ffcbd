using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Kmesh.Sdk.Testing.Agent;

internal static unsafe partial class NativeConnect
{
    private const int MsgMore = 0x8000, MsgNoSignal = 0x4000, MsgDontWait = 0x40;
    private const int EAgain = 11;

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint send(int fd, byte* buffer, nuint length, int flags);

    /// <summary>
    /// send(2) of all of <paramref name="data"/>, with MSG_MORE when <paramref name="more"/>
    /// (the application says more is coming: the kernel may hold the bytes back to coalesce).
    /// .NET's Socket refuses flags it does not know, MSG_MORE among them, hence libc.
    /// </summary>
    public static void SendAll(Socket socket, ReadOnlySpan<byte> data, bool more)
    {
        int fd = (int)socket.SafeHandle.DangerousGetHandle();
        int flags = MsgDontWait | MsgNoSignal | (more ? MsgMore : 0);
        fixed (byte* start = data)
        {
            for (int offset = 0; offset < data.Length;)
            {
                nint sent = send(fd, start + offset, (nuint)(data.Length - offset), flags);
                if (sent >= 0)
                {
                    offset += (int)sent;
                    continue;
                }
                int errno = Marshal.GetLastPInvokeError();
                if (errno == Errno.EINTR)
                    continue;
                if (errno != EAgain)
                    throw new ConnectFailedException(Errno.Name(errno), $"send failed (errno {errno})");
                // The socket's send buffer is full: wait until it drains (the reader keeps reading).
                var pfd = new PollFd { Fd = fd, Events = PollOut };
                poll(&pfd, 1, 1000);
            }
        }
    }
}
