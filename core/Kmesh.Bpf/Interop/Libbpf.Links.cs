using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>bpf_link handling and the cgroup attachment query.</summary>
internal static unsafe partial class Libbpf
{
    [LibraryImport(Library)]
    internal static partial int bpf_link__destroy(nint link);

    [LibraryImport(Library)]
    internal static partial int bpf_link__fd(nint link);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int bpf_link__pin(nint link, string path);

    [LibraryImport(Library)]
    internal static partial int bpf_link__unpin(nint link);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial nint bpf_link__open(string path);

    [LibraryImport(Library)]
    internal static partial int bpf_link__update_program(nint link, nint prog);

    [LibraryImport(Library)]
    internal static partial int bpf_prog_query(
        int targetFd, int type, uint queryFlags, uint* attachFlags, uint* progIds, uint* progCount);
}
