using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>The few glibc calls .NET does not offer: directory fds, statfs, and vsnprintf.</summary>
internal static unsafe partial class LibC
{
    private const string Library = "libc.so.6";

    internal const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;

    /// <summary>
    /// open(2) is variadic; passing the optional mode as a third fixed int is ABI-identical
    /// on x86_64 and aarch64, where the first integer arguments go in registers either way.
    /// </summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int open(string path, int flags, int mode);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int close(int fd);

    /// <summary>statfs(2) into a caller buffer; <c>f_type</c> is the first (long) field.</summary>
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int statfs(string path, byte* buf);

    /// <summary>The va_list argument is a pointer on x86_64 and aarch64 Linux (see LibbpfPrint).</summary>
    [LibraryImport(Library)]
    internal static partial int vsnprintf(byte* buf, nuint size, byte* format, nint args);
}

/// <summary>read(2), for BPF iterator fds.</summary>
internal static unsafe partial class LibC
{
    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint read(int fd, byte* buffer, nuint count);
}

/// <summary>setns(2), to create a per-namespace iterator from the right network namespace.</summary>
internal static partial class LibC
{
    internal const int CLONE_NEWNET = 0x40000000;

    [LibraryImport(Library, SetLastError = true)]
    internal static partial int setns(int fd, int nstype);
}
