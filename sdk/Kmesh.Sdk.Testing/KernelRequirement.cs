namespace Kmesh.Sdk.Testing;

/// <summary>
/// Whether this machine can run kernel sandbox tests: Linux, root, a cgroup v2 mount, iproute2's
/// <c>ip</c>, network namespaces, and bpffs at <see cref="BpffsRoot"/> (mounted here if it is not).
/// The probe runs once per process.
/// </summary>
/// <remarks>
/// Tests normally skip when the requirement is not met (see <see cref="KernelFactAttribute"/>).
/// Set the environment variable <c>KMESH_REQUIRE_BPF=1</c> (as CI does on a capable machine) to
/// make them run anyway and fail with <see cref="UnmetReason"/> instead of silently skipping.
/// </remarks>
public static class KernelRequirement
{
    /// <summary>The environment variable that turns "skip" into "fail": set it to <c>1</c>.</summary>
    public const string RequireVariable = "KMESH_REQUIRE_BPF";

    /// <summary>Where bpffs is expected (and mounted when missing); sandbox pin folders live below it.</summary>
    public const string BpffsRoot = "/sys/fs/bpf";

    private const string PreferredCgroup2Root = "/sys/fs/cgroup/unified";

    private static readonly Lazy<Probe> Result = new(RunProbe);

    /// <summary>True when every requirement is met.</summary>
    public static bool IsMet => Result.Value.UnmetReason is null;

    /// <summary>Why the requirement is not met (one sentence), or null when it is.</summary>
    public static string? UnmetReason => Result.Value.UnmetReason;

    /// <summary>True when <c>KMESH_REQUIRE_BPF=1</c>: kernel tests must run, never skip.</summary>
    public static bool IsRequired => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    /// <summary>The skip message for a kernel test, or null when it should run (requirement met, or required).</summary>
    public static string? SkipReason =>
        IsMet || IsRequired ? null : $"Kernel test skipped: {UnmetReason} (set {RequireVariable}=1 to fail instead).";

    /// <summary>The cgroup v2 mount point (<c>/sys/fs/cgroup/unified</c> on hybrid hosts, else the cgroup2 mount).</summary>
    public static string Cgroup2Root => Result.Value.Cgroup2Root;

    /// <summary>Full path of iproute2's <c>ip</c>.</summary>
    internal static string IpPath => Result.Value.IpPath;

    /// <summary>Throws <see cref="InvalidOperationException"/> carrying <see cref="UnmetReason"/> when the requirement is not met.</summary>
    public static void EnsureMet()
    {
        if (UnmetReason is { } reason)
        {
            throw new InvalidOperationException($"The kernel sandbox cannot run here: {reason}.");
        }
    }

    private sealed record Probe(string? UnmetReason, string Cgroup2Root, string IpPath);

    private static Probe RunProbe()
    {
        string cgroup2 = PreferredCgroup2Root;
        string ip = "ip";
        try
        {
            if (!OperatingSystem.IsLinux())
            {
                return new Probe("not Linux", cgroup2, ip);
            }
            if (Native.geteuid() is var uid and not 0)
            {
                return new Probe($"not running as root (euid {uid})", cgroup2, ip);
            }

            var mounts = Mounts.Read();
            var cgroup2Mounts = mounts.Where(m => m.FsType == "cgroup2").Select(m => m.MountPoint).ToList();
            if (cgroup2Mounts.Count == 0)
            {
                return new Probe("no cgroup v2 file system is mounted", cgroup2, ip);
            }
            cgroup2 = cgroup2Mounts.Contains(PreferredCgroup2Root) ? PreferredCgroup2Root
                : cgroup2Mounts.Contains("/sys/fs/cgroup") ? "/sys/fs/cgroup" : cgroup2Mounts[0];

            if (FindExecutable("ip") is not { } found)
            {
                return new Probe("iproute2's `ip` was not found (apt-get install iproute2)", cgroup2, ip);
            }
            ip = found;

            if (!File.Exists("/proc/self/ns/net"))
            {
                return new Probe("the kernel has no network namespaces", cgroup2, ip);
            }

            if (!mounts.Any(m => m.MountPoint == BpffsRoot && m.FsType == "bpf"))
            {
                if (!Directory.Exists(BpffsRoot))
                {
                    return new Probe($"{BpffsRoot} does not exist, so bpffs cannot be mounted", cgroup2, ip);
                }
                // The daemon pins maps and links here; a host without systemd may not mount it.
                if (Native.Mount("bpf", BpffsRoot, "bpf") is { } error)
                {
                    return new Probe($"bpffs is not mounted at {BpffsRoot} and mounting it failed: {error}", cgroup2, ip);
                }
            }
            return new Probe(null, cgroup2, ip);
        }
        catch (Exception e)
        {
            return new Probe($"probing the kernel failed: {e.Message}", cgroup2, ip);
        }
    }

    private static string? FindExecutable(string name)
    {
        // Test runners often inherit a PATH without the sbin directories, where ip lives.
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin", "/usr/bin", "/bin"]);
        return dirs.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }
}
