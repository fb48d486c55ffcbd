using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>Which BTF types a map's key and value are (for decoding dumps).</summary>
internal static unsafe partial class Libbpf
{
    [LibraryImport(Library)]
    internal static partial uint bpf_map__btf_key_type_id(nint map);

    [LibraryImport(Library)]
    internal static partial uint bpf_map__btf_value_type_id(nint map);
}
