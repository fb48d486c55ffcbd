using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Kmesh.Bpf.Tests.Infrastructure;

/// <summary>
/// What the kernel tests need - root, cgroup v2, bpffs, libbpf.so.1 - probed once per process.
/// Set <c>KMESH_REQUIRE_BPF=1</c> to turn a missing requirement from a skip into a failure.
/// </summary>
public static class KernelRequirements
{
    private static readonly Lazy<string?> s_missing = new(Probe);

    /// <summary>Why kernel tests cannot run here; null when they can.</summary>
    public static string? MissingReason => s_missing.Value;

    /// <summary>True when <c>KMESH_REQUIRE_BPF=1</c>: missing requirements fail instead of skip.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("KMESH_REQUIRE_BPF") == "1";

    /// <summary>The cgroup v2 root under which tests make their cgroups.</summary>
    public static string Cgroup2Root { get; } = FindCgroup2Root();

    /// <summary>Throws with the reason when a requirement is missing.</summary>
    public static void ThrowIfUnavailable()
    {
        if (MissingReason is { } reason)
            throw new InvalidOperationException($"Kernel test cannot run: {reason}");
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux())
            return "not Linux";
        if (!Environment.IsPrivilegedProcess)
            return "not root (the bpf() syscall needs CAP_BPF/CAP_SYS_ADMIN)";
        if (!NativeLibrary.TryLoad("libbpf.so.1", out _))
            return "libbpf.so.1 not found (apt-get install libbpf1)";
        if (!CgroupHandle.IsCgroup2(Cgroup2Root))
            return $"no cgroup v2 hierarchy at {Cgroup2Root} (set KMESH_CGROUP2_ROOT)";
        if (!PinFolder.IsOnBpffs(PinFolder.DefaultRoot) && !TryMountBpffs())
            return $"bpffs is not mounted at {PinFolder.DefaultRoot} (mount -t bpf bpf {PinFolder.DefaultRoot})";
        return null;
    }

    private static string FindCgroup2Root()
    {
        string? configured = Environment.GetEnvironmentVariable("KMESH_CGROUP2_ROOT");
        if (!string.IsNullOrEmpty(configured))
            return configured;
        // Hybrid hosts mount v2 at .../unified; pure v2 hosts at /sys/fs/cgroup itself.
        return CgroupHandle.IsCgroup2("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup";
    }

    /// <summary>As root, a missing bpffs is mounted - the same step the daemon's setup does.</summary>
    private static bool TryMountBpffs()
    {
        try
        {
            using var mount = Process.Start(new ProcessStartInfo("mount", ["-t", "bpf", "bpf", PinFolder.DefaultRoot])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            });
            mount?.WaitForExit(10_000);
        }
        catch (Exception)
        {
            return false;
        }
        return PinFolder.IsOnBpffs(PinFolder.DefaultRoot);
    }
}
