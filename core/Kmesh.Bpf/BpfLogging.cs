using Kmesh.Bpf.Interop;
using Microsoft.Extensions.Logging;

namespace Kmesh.Bpf;

/// <summary>Where libbpf's own messages go when no per-object logger is active.</summary>
public static class BpfLogging
{
    /// <summary>
    /// Sets the process-wide logger for libbpf's messages (warnings, info, and debug at Debug level).
    /// Null drops them. Messages during an object's Open/Load go to
    /// <see cref="BpfObjectOptions.Logger"/> instead when that is set.
    /// </summary>
    public static void Use(ILogger? logger) => LibbpfPrint.GlobalLogger = logger;

    /// <summary>The current process-wide logger.</summary>
    public static ILogger? Logger => LibbpfPrint.GlobalLogger;
}
