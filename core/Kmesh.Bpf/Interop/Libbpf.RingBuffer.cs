using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>libbpf's BPF_MAP_TYPE_RINGBUF consumer and BPF iterators.</summary>
internal static unsafe partial class Libbpf
{
    /// <summary>
    /// <c>struct ring_buffer *ring_buffer__new(int map_fd, ring_buffer_sample_fn cb, void *ctx, const struct ring_buffer_opts *opts)</c>;
    /// the callback is <c>int (*)(void *ctx, void *data, size_t size)</c>. NULL and errno on failure.
    /// </summary>
    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint ring_buffer__new(int mapFd, delegate* unmanaged[Cdecl]<nint, void*, nuint, int> sample, nint ctx, void* opts);

    /// <summary>Waits up to the timeout (epoll) and consumes what is there: records consumed, or a negative errno.</summary>
    [LibraryImport(Library)]
    internal static partial int ring_buffer__poll(nint rb, int timeoutMs);

    /// <summary>Consumes what is there without waiting: records consumed, or a negative errno.</summary>
    [LibraryImport(Library)]
    internal static partial int ring_buffer__consume(nint rb);

    [LibraryImport(Library)]
    internal static partial void ring_buffer__free(nint rb);

    /// <summary><c>bpf_program__attach_iter(prog, NULL)</c>: a link for an iterator program; NULL and errno on failure.</summary>
    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint bpf_program__attach_iter(nint prog, BpfIterAttachOpts* opts);

    /// <summary>A readable fd that runs the iterator once, from the start; negative errno on failure.</summary>
    [LibraryImport(Library)]
    internal static partial int bpf_iter_create(int linkFd);
}
