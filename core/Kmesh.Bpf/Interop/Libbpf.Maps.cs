using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>bpf_map accessors (object side) and the map syscalls (fd side).</summary>
internal static unsafe partial class Libbpf
{
    [LibraryImport(Library)]
    internal static partial byte* bpf_map__name(nint map);

    [LibraryImport(Library)]
    internal static partial int bpf_map__type(nint map);

    [LibraryImport(Library)]
    internal static partial uint bpf_map__key_size(nint map);

    [LibraryImport(Library)]
    internal static partial uint bpf_map__value_size(nint map);

    [LibraryImport(Library)]
    internal static partial uint bpf_map__max_entries(nint map);

    [LibraryImport(Library)]
    internal static partial int bpf_map__set_max_entries(nint map, uint maxEntries);

    [LibraryImport(Library)]
    internal static partial uint bpf_map__map_flags(nint map);

    [LibraryImport(Library)]
    internal static partial int bpf_map__fd(nint map);

    [LibraryImport(Library)]
    internal static partial int bpf_map__reuse_fd(nint map, int fd);

    [LibraryImport(Library)]
    internal static partial byte bpf_map__is_internal(nint map);

    [LibraryImport(Library)]
    internal static partial byte* bpf_map__pin_path(nint map);

    [LibraryImport(Library)]
    internal static partial byte bpf_map__is_pinned(nint map);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int bpf_map__pin(nint map, string path);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int bpf_map__set_pin_path(nint map, string? path);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int bpf_map__unpin(nint map, string? path);

    [LibraryImport(Library)]
    internal static partial byte* bpf_map__initial_value(nint map, nuint* size);

    [LibraryImport(Library)]
    internal static partial int bpf_map_update_elem(int fd, void* key, void* value, ulong flags);

    [LibraryImport(Library)]
    internal static partial int bpf_map_lookup_elem(int fd, void* key, void* value);

    [LibraryImport(Library)]
    internal static partial int bpf_map_delete_elem(int fd, void* key);

    [LibraryImport(Library)]
    internal static partial int bpf_map_get_next_key(int fd, void* key, void* nextKey);

    [LibraryImport(Library)]
    internal static partial int bpf_map_update_batch(
        int fd, void* keys, void* values, uint* count, BpfMapBatchOpts* opts);

    [LibraryImport(Library)]
    internal static partial int bpf_map_lookup_batch(
        int fd, void* inBatch, void* outBatch, void* keys, void* values, uint* count, BpfMapBatchOpts* opts);

    [LibraryImport(Library)]
    internal static partial int bpf_map_delete_batch(int fd, void* keys, uint* count, BpfMapBatchOpts* opts);
}
