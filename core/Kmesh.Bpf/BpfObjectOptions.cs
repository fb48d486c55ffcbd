using Microsoft.Extensions.Logging;

namespace Kmesh.Bpf;

/// <summary>How <see cref="BpfObject.Open"/> opens and later loads an object file.</summary>
public sealed class BpfObjectOptions
{
    /// <summary>
    /// libbpf's <c>pin_root_path</c>: maps declared with <c>LIBBPF_PIN_BY_NAME</c> are reused from,
    /// or pinned into, <c>PinRoot/&lt;map name&gt;</c>. Must exist on bpffs (see
    /// <see cref="PinFolder.Create"/>). Null means libbpf's default, <c>/sys/fs/bpf</c>.
    /// </summary>
    public string? PinRoot { get; init; }

    /// <summary>Overrides the object's name (default: the file name without extension).</summary>
    public string? ObjectName { get; init; }

    /// <summary>Receives libbpf's messages during Open and Load; null = <see cref="BpfLogging"/>'s logger.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>
    /// Verifier log level requested from the first load attempt. 0 (default) asks for no log
    /// while loading, and libbpf retries a rejected program at level 1 into the per-program buffer,
    /// so successful loads pay nothing and cannot fail on a too-small log buffer.
    /// </summary>
    public uint VerifierLogLevel { get; init; }

    /// <summary>
    /// Bytes of the per-program verifier log buffer (default 1 MiB). The kernel fails a load with
    /// ENOSPC when the log does not fit, so do not make it small.
    /// </summary>
    public int VerifierLogSize { get; init; } = 1 << 20;
}
