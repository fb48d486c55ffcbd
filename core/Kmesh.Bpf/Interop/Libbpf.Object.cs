using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>bpf_object lifecycle and enumeration.</summary>
internal static unsafe partial class Libbpf
{
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial nint bpf_object__open_file(string path, BpfObjectOpenOpts* opts);

    [LibraryImport(Library)]
    internal static partial int bpf_object__load(nint obj);

    [LibraryImport(Library)]
    internal static partial void bpf_object__close(nint obj);

    [LibraryImport(Library)]
    internal static partial byte* bpf_object__name(nint obj);

    [LibraryImport(Library)]
    internal static partial nint bpf_object__btf(nint obj);

    [LibraryImport(Library)]
    internal static partial nint bpf_object__next_program(nint obj, nint prev);

    [LibraryImport(Library)]
    internal static partial nint bpf_object__next_map(nint obj, nint prev);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint bpf_object__find_map_by_name(nint obj, string name);
}
