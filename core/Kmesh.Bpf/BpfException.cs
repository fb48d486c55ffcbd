namespace Kmesh.Bpf;

/// <summary>A kernel or libbpf operation failed; carries the operation, its target and the errno.</summary>
public class BpfException : Exception
{
    /// <summary>Creates an exception for <paramref name="operation"/> on <paramref name="target"/>.</summary>
    public BpfException(string operation, string? target, int errno, string? detail = null, Exception? inner = null)
        : base(Compose(operation, target, errno, detail), inner)
    {
        Operation = operation;
        Target = target;
        Errno = errno;
    }

    /// <summary>What was attempted, e.g. "map update".</summary>
    public string Operation { get; }

    /// <summary>What it was attempted on, e.g. "map 'backends'"; null when not applicable.</summary>
    public string? Target { get; }

    /// <summary>The positive errno the kernel or libbpf reported (0 when there was none).</summary>
    public int Errno { get; }

    /// <summary>The errno as text, e.g. "No such file or directory (ENOENT)".</summary>
    public string ErrnoText => Errno == 0 ? string.Empty : Interop.Errno.Describe(Errno);

    private static string Compose(string operation, string? target, int errno, string? detail)
    {
        string on = target is null ? string.Empty : $" for {target}";
        string why = errno == 0 ? string.Empty : $": {Interop.Errno.Describe(errno)}.{Interop.Errno.Hint(errno)}";
        string more = string.IsNullOrEmpty(detail) ? string.Empty : $" {detail}";
        return $"bpf: {operation} failed{on}{why}{more}";
    }
}
