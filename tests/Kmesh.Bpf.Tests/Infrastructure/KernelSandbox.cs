namespace Kmesh.Bpf.Tests.Infrastructure;

/// <summary>
/// One test's private kernel resources: a cgroup v2 child and a bpffs pin folder, both named
/// after the pid and a counter, both removed on Dispose (also when the test failed).
/// </summary>
public sealed class KernelSandbox : IDisposable
{
    private static int s_counter;

    /// <summary>Creates the cgroup and the pin folder; throws when the kernel is unavailable.</summary>
    public KernelSandbox()
    {
        KernelRequirements.ThrowIfUnavailable();
        string name = $"kmesh-bpf-test-{Environment.ProcessId}-{Interlocked.Increment(ref s_counter)}";
        CgroupPath = Path.Combine(KernelRequirements.Cgroup2Root, name);
        PinRoot = Path.Combine(PinFolder.DefaultRoot, name);
        Directory.CreateDirectory(CgroupPath);
        PinFolder.Create(PinRoot);
    }

    /// <summary>The test's cgroup directory (empty: the test process never joins it).</summary>
    public string CgroupPath { get; }

    /// <summary>The test's bpffs folder.</summary>
    public string PinRoot { get; }

    /// <summary>Options that pin into this sandbox (so nothing lands in /sys/fs/bpf itself).</summary>
    public BpfObjectOptions Options(string? objectName = null) => new() { PinRoot = PinRoot, ObjectName = objectName };

    /// <summary>Full path of a compiled test program next to the test assembly.</summary>
    public static string ObjectPath(string name) => Path.Combine(AppContext.BaseDirectory, name);

    /// <summary>Removes the pin folder and the cgroup (evicting any straggler process first).</summary>
    public void Dispose()
    {
        try
        {
            PinFolder.Remove(PinRoot);
        }
        finally
        {
            RemoveCgroup();
        }
    }

    private void RemoveCgroup()
    {
        if (!Directory.Exists(CgroupPath))
            return;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                // A child killed on timeout may linger a moment; move anything left to the root.
                foreach (string pid in File.ReadAllLines(Path.Combine(CgroupPath, "cgroup.procs")))
                    TryWrite(Path.Combine(KernelRequirements.Cgroup2Root, "cgroup.procs"), pid);
                Directory.Delete(CgroupPath); // rmdir; the cgroup's files are virtual
                return;
            }
            catch (IOException) when (attempt < 50)
            {
                Thread.Sleep(20); // EBUSY until the last task has left
            }
        }
    }

    private static void TryWrite(string path, string text)
    {
        try
        {
            File.WriteAllText(path, text);
        }
        catch (IOException)
        {
            // The process exited in between.
        }
    }
}
