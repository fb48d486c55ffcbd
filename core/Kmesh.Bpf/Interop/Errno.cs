using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>Errno values the wrappers branch on, and a readable rendering of any errno.</summary>
internal static class Errno
{
    internal const int EPERM = 1, ENOENT = 2, EBADF = 9, EACCES = 13, EFAULT = 14, EBUSY = 16,
        EEXIST = 17, EINVAL = 22, ENOSPC = 28, E2BIG = 7, EOPNOTSUPP = 95;

    /// <summary>Kernel-internal "not supported", leaked by the bpf syscall (no libc text).</summary>
    internal const int ENOTSUPP = 524;

    internal static bool IsNotSupported(int errno) => errno is ENOTSUPP or EOPNOTSUPP;

    /// <summary>"No such file or directory (ENOENT)"-style text for messages.</summary>
    internal static string Describe(int errno)
    {
        string name = errno switch
        {
            EPERM => "EPERM", ENOENT => "ENOENT", EBADF => "EBADF", EACCES => "EACCES", EFAULT => "EFAULT",
            EBUSY => "EBUSY", EEXIST => "EEXIST", EINVAL => "EINVAL", ENOSPC => "ENOSPC", E2BIG => "E2BIG",
            EOPNOTSUPP => "EOPNOTSUPP", ENOTSUPP => "ENOTSUPP", _ => $"errno {errno}",
        };
        string text = errno == ENOTSUPP ? "Operation not supported" : Marshal.GetPInvokeErrorMessage(errno);
        return $"{text} ({name})";
    }

    /// <summary>Why a permission error most likely happened, appended to messages.</summary>
    internal static string Hint(int errno) => errno == EPERM
        ? " The bpf() syscall needs root (CAP_BPF + CAP_NET_ADMIN/CAP_SYS_ADMIN)."
        : string.Empty;
}
