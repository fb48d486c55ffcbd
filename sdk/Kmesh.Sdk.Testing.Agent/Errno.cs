using System.Net.Sockets;

namespace Kmesh.Sdk.Testing.Agent;

/// <summary>Names Linux errno values the way tests assert on them ("ECONNREFUSED", "EPERM", ...).</summary>
internal static class Errno
{
    public const int EINTR = 4;
    public const int EINPROGRESS = 115;
    public const int ETIMEDOUT = 110;

    // Generic Linux numbering (x86-64, arm64, and every asm-generic architecture).
    private static readonly Dictionary<int, string> Names = new()
    {
        [1] = "EPERM", [2] = "ENOENT", [4] = "EINTR", [9] = "EBADF", [11] = "EAGAIN", [12] = "ENOMEM",
        [13] = "EACCES", [14] = "EFAULT", [16] = "EBUSY", [22] = "EINVAL", [23] = "ENFILE", [24] = "EMFILE", [32] = "EPIPE",
        [88] = "ENOTSOCK", [92] = "ENOPROTOOPT", [93] = "EPROTONOSUPPORT", [95] = "EOPNOTSUPP",
        [97] = "EAFNOSUPPORT", [98] = "EADDRINUSE", [99] = "EADDRNOTAVAIL", [100] = "ENETDOWN",
        [101] = "ENETUNREACH", [102] = "ENETRESET", [103] = "ECONNABORTED", [104] = "ECONNRESET",
        [105] = "ENOBUFS", [106] = "EISCONN", [107] = "ENOTCONN", [110] = "ETIMEDOUT",
        [111] = "ECONNREFUSED", [112] = "EHOSTDOWN", [113] = "EHOSTUNREACH", [114] = "EALREADY",
        [115] = "EINPROGRESS",
    };

    public static string Name(int errno) => Names.TryGetValue(errno, out var name) ? name : $"E{errno}";

    /// <summary>
    /// For errors after the connect (reads, writes). .NET folds errno into SocketError (EPERM and
    /// EACCES both become AccessDenied), which is why connects go through <see cref="NativeConnect"/>.
    /// </summary>
    public static string Name(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "ECONNREFUSED",
        SocketError.ConnectionReset => "ECONNRESET",
        SocketError.ConnectionAborted => "ECONNABORTED",
        SocketError.NetworkUnreachable => "ENETUNREACH",
        SocketError.HostUnreachable => "EHOSTUNREACH",
        SocketError.TimedOut => "ETIMEDOUT",
        SocketError.AccessDenied => "EACCES",
        SocketError.AddressNotAvailable => "EADDRNOTAVAIL",
        SocketError.AddressAlreadyInUse => "EADDRINUSE",
        SocketError.Shutdown => "EPIPE",
        SocketError.NotConnected => "ENOTCONN",
        SocketError.NetworkDown => "ENETDOWN",
        _ => e.SocketErrorCode.ToString(),
    };
}
