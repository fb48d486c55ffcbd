using System.Runtime.InteropServices;

namespace Kmesh.Sdk.Testing;

/// <summary>The few libc calls the sandbox needs that .NET has no API for.</summary>
internal static partial class Native
{
    [LibraryImport("libc")]
    public static partial uint geteuid();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mount(string source, string target, string fsType, nuint flags, nint data);

    /// <summary>mount(2) without data; returns null on success, else the errno text.</summary>
    public static string? Mount(string source, string target, string fsType)
    {
        if (mount(source, target, fsType, 0, 0) == 0)
        {
            return null;
        }
        return Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int signal);

    /// <summary>Sends SIGTERM (what an orchestrator sends), unlike Process.Kill's SIGKILL.</summary>
    public static void Terminate(int pid)
    {
        const int SigTerm = 15;
        _ = kill(pid, SigTerm);
    }
}
