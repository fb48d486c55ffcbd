using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>Conversions between managed strings and the C strings libbpf hands out.</summary>
internal static unsafe class NativeString
{
    /// <summary>A copy of a NUL-terminated UTF-8 string; empty for NULL.</summary>
    internal static string Read(byte* p) => p is null ? string.Empty : Marshal.PtrToStringUTF8((nint)p) ?? string.Empty;

    /// <summary>Allocates a NUL-terminated UTF-8 copy (NULL for null); free with <see cref="Free"/>.</summary>
    internal static byte* Alloc(string? s) => s is null ? null : (byte*)Marshal.StringToCoTaskMemUTF8(s);

    internal static void Free(byte* p)
    {
        if (p is not null)
            Marshal.FreeCoTaskMem((nint)p);
    }

    /// <summary>Compares a C string with a managed one without allocating.</summary>
    internal static bool Equals(byte* p, ReadOnlySpan<byte> utf8)
    {
        if (p is null)
            return false;
        var native = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(p);
        return native.SequenceEqual(utf8);
    }
}
