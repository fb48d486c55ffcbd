using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Interop;

/// <summary>bpf_program accessors, verifier-log plumbing and attachment.</summary>
internal static unsafe partial class Libbpf
{
    [LibraryImport(Library)]
    internal static partial byte* bpf_program__name(nint prog);

    [LibraryImport(Library)]
    internal static partial byte* bpf_program__section_name(nint prog);

    [LibraryImport(Library)]
    internal static partial int bpf_program__type(nint prog);

    [LibraryImport(Library)]
    internal static partial int bpf_program__expected_attach_type(nint prog);

    [LibraryImport(Library)]
    internal static partial int bpf_program__fd(nint prog);

    [LibraryImport(Library)]
    internal static partial byte bpf_program__autoload(nint prog);

    [LibraryImport(Library)]
    internal static partial int bpf_program__set_autoload(nint prog, byte autoload);

    [LibraryImport(Library)]
    internal static partial int bpf_program__set_log_buf(nint prog, byte* logBuf, nuint logSize);

    [LibraryImport(Library)]
    internal static partial int bpf_program__set_log_level(nint prog, uint logLevel);

    [LibraryImport(Library, SetLastError = true)]
    internal static partial nint bpf_program__attach_cgroup(nint prog, int cgroupFd);

    [LibraryImport(Library)]
    internal static partial int bpf_prog_attach(int progFd, int targetFd, int attachType, uint flags);

    [LibraryImport(Library)]
    internal static partial int bpf_prog_detach2(int progFd, int targetFd, int attachType);
}
