using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>
/// P/Invoke surface of the system libbpf (1.1 or later). libbpf 1.x functions that return
/// <c>int</c> report failures as a negative errno, so those are read from the return value;
/// functions that return a pointer report through errno, hence <c>SetLastError</c> on them.
/// Pointers to libbpf's own structs are plain <see cref="nint"/>: their lifetime is tied to
/// the owning object, whose SafeHandle the managed wrappers hold a reference on.
/// </summary>
internal static unsafe partial class Libbpf
{
    /// <summary>The soname, so a newer libbpf 1.x on the host is picked up without a rebuild.</summary>
    internal const string Library = "libbpf.so.1";

    [LibraryImport(Library)]
    internal static partial int libbpf_num_possible_cpus();

    [LibraryImport(Library)]
    internal static partial nint libbpf_set_print(delegate* unmanaged[Cdecl]<int, byte*, nint, int> fn);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int bpf_obj_pin(int fd, string pathname);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int bpf_obj_get(string pathname);

    [LibraryImport(Library)]
    internal static partial int bpf_obj_get_info_by_fd(int fd, void* info, uint* infoLen);
}
