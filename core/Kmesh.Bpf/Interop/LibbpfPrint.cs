using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Kmesh.Bpf.Interop;

/// <summary>
/// Routes libbpf's own messages (libbpf_set_print) into an <see cref="ILogger"/>.
/// libbpf prints synchronously on the thread that called it, so a thread-static scope lets an
/// object's Open/Load use that object's logger and collect its warnings for exceptions; the
/// process-wide logger of <see cref="BpfLogging"/> is the fallback.
/// </summary>
internal static unsafe class LibbpfPrint
{
    private const int LevelWarn = 0, LevelInfo = 1;
    private const int StackBufferSize = 1024;
    private const string Prefix = "libbpf: ";

    private static readonly Lock s_installLock = new();
    private static volatile bool s_installed;
    private static volatile ILogger? s_global;

    [ThreadStatic] private static Scope? t_scope;

    internal static ILogger? GlobalLogger
    {
        get => s_global;
        set { s_global = value; EnsureInstalled(); }
    }

    /// <summary>libbpf_set_print is not thread-safe, so the one install is serialized.</summary>
    internal static void EnsureInstalled()
    {
        if (s_installed)
            return;
        lock (s_installLock)
        {
            if (s_installed)
                return;
            // A function pointer to an UnmanagedCallersOnly method: no delegate for the GC to collect.
            Libbpf.libbpf_set_print(&Print);
            s_installed = true;
        }
    }

    /// <summary>Directs this thread's libbpf messages to <paramref name="logger"/> until disposed.</summary>
    internal static Scope Enter(ILogger? logger)
    {
        EnsureInstalled();
        var scope = new Scope(logger, t_scope);
        t_scope = scope;
        return scope;
    }

    [UnmanagedCallersOnly(CallConvs = [typeof(CallConvCdecl)])]
    private static int Print(int level, byte* format, nint args)
    {
        try
        {
            Scope? scope = t_scope;
            ILogger? logger = scope?.Logger ?? s_global;
            LogLevel logLevel = level switch { LevelWarn => LogLevel.Warning, LevelInfo => LogLevel.Information, _ => LogLevel.Debug };
            bool collect = scope is not null && level == LevelWarn;
            if (!collect && (logger is null || !logger.IsEnabled(logLevel)))
                return 0;

            string message = Format(format, args).TrimEnd('\n', ' ');
            if (message.StartsWith(Prefix, StringComparison.Ordinal))
                message = message[Prefix.Length..]; // libbpf prefixes its own lines; we add ours below
            if (collect)
                scope!.Warnings.Add(message);
            if (logger is not null && logger.IsEnabled(logLevel))
                logger.Log(logLevel, "libbpf: {Message}", message);
        }
        catch
        {
            // An exception must not unwind into libbpf's C frames; a lost log line is the lesser evil.
        }
        return 0;
    }

    /// <summary>
    /// Formats with libc vsnprintf. The va_list may be consumed only once, so a first pass into a
    /// stack buffer uses a copy of it (va_copy is a plain struct copy on x86_64 - 24 bytes - and
    /// aarch64 - 32 bytes; on both the parameter arrives as a pointer to that struct). A longer
    /// message is then formatted once more, from the original, into a rented buffer.
    /// </summary>
    private static string Format(byte* format, nint args)
    {
        int vaSize = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => 24,
            Architecture.Arm64 => 32,
            _ => 0,
        };
        byte* small = stackalloc byte[StackBufferSize];
        if (vaSize == 0)
        {
            // Unknown va_list layout: one pass, possibly truncated.
            int n0 = LibC.vsnprintf(small, StackBufferSize, format, args);
            return n0 < 0 ? string.Empty : Encoding.UTF8.GetString(small, Math.Min(n0, StackBufferSize - 1));
        }

        byte* copy = stackalloc byte[32];
        Buffer.MemoryCopy((void*)args, copy, 32, vaSize);
        int needed = LibC.vsnprintf(small, StackBufferSize, format, (nint)copy);
        if (needed < 0)
            return string.Empty;
        if (needed < StackBufferSize)
            return Encoding.UTF8.GetString(small, needed);

        byte[] rented = ArrayPool<byte>.Shared.Rent(needed + 1);
        try
        {
            fixed (byte* big = rented)
            {
                int n = LibC.vsnprintf(big, (nuint)rented.Length, format, args);
                return Encoding.UTF8.GetString(big, Math.Clamp(n, 0, rented.Length - 1));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>One thread's redirection; restores the previous one when disposed.</summary>
    internal sealed class Scope(ILogger? logger, Scope? previous) : IDisposable
    {
        internal ILogger? Logger { get; } = logger;

        /// <summary>libbpf warnings seen inside the scope, for exception messages.</summary>
        internal List<string> Warnings { get; } = [];

        public void Dispose() => t_scope = previous;
    }
}
