using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>The read side of libbpf's BTF API.</summary>
internal static unsafe partial class Libbpf
{
    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial nint btf__parse_elf(string path, nint* btfExt);

    [LibraryImport(Library)]
    internal static partial void btf__free(nint btf);

    [LibraryImport(Library)]
    internal static partial uint btf__type_cnt(nint btf);

    [LibraryImport(Library)]
    internal static partial BtfType* btf__type_by_id(nint btf, uint id);

    [LibraryImport(Library)]
    internal static partial byte* btf__name_by_offset(nint btf, uint offset);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int btf__find_by_name_kind(nint btf, string name, uint kind);

    [LibraryImport(Library)]
    internal static partial long btf__resolve_size(nint btf, uint typeId);
}
