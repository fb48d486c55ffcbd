namespace Kmesh.Bpf;

/// <summary>
/// <see cref="BpfObject.Load"/> failed: usually the verifier rejected a program, whose name and
/// verifier log this carries; otherwise (map creation, pinned-map reuse) libbpf's warnings
/// explain it.
/// </summary>
public sealed class BpfLoadException : BpfException
{
    /// <summary>How many trailing lines of the verifier log <see cref="VerifierLogTail"/> keeps.</summary>
    public const int TailLines = 40;

    /// <summary>Creates the exception.</summary>
    public BpfLoadException(string objectName, string? programName, int errno, string verifierLog,
        IReadOnlyList<string> libbpfWarnings)
        : base("load", programName is null ? $"object '{objectName}'" : $"program '{programName}' of object '{objectName}'",
            errno, Describe(errno, verifierLog, libbpfWarnings))
    {
        ObjectName = objectName;
        ProgramName = programName;
        VerifierLog = verifierLog;
        VerifierLogTail = Tail(verifierLog, TailLines);
        LibbpfWarnings = libbpfWarnings;
    }

    /// <summary>The object that failed to load.</summary>
    public string ObjectName { get; }

    /// <summary>The program the kernel rejected; null when the failure was not a program's.</summary>
    public string? ProgramName { get; }

    /// <summary>The full verifier log of the rejected program (empty when there is none).</summary>
    public string VerifierLog { get; }

    /// <summary>The last <see cref="TailLines"/> lines of the verifier log: where the error is.</summary>
    public string VerifierLogTail { get; }

    /// <summary>libbpf's warnings during the load, oldest first.</summary>
    public IReadOnlyList<string> LibbpfWarnings { get; }

    private static string Describe(int errno, string log, IReadOnlyList<string> warnings)
    {
        // The kernel fails even a valid program with ENOSPC when its log does not fit.
        if (errno == Interop.Errno.ENOSPC && log.Length > 0)
            return "The verifier log did not fit its buffer: raise BpfObjectOptions.VerifierLogSize.";
        string tail = Tail(log, 12);
        if (tail.Length > 0)
            return $"Verifier log (tail):{Environment.NewLine}{tail}";
        return warnings.Count == 0 ? string.Empty : $"libbpf: {string.Join(" | ", warnings.TakeLast(6))}";
    }

    private static string Tail(string text, int lines)
    {
        string[] all = text.TrimEnd('\n', '\r', ' ', '\0').Split('\n');
        return all.Length <= lines ? string.Join('\n', all).Trim() : string.Join('\n', all[^lines..]);
    }
}
