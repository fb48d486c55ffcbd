namespace Kmesh.Core.Telemetry;

/// <summary>
/// The network namespaces the governed cgroup's processes live in: where its routed
/// connections can be. One <c>/proc/PID/ns/net</c> path per distinct namespace.
/// </summary>
internal static class CgroupNetworkNamespaces
{
    /// <summary>
    /// Walks <c>cgroup.procs</c> of <paramref name="cgroupPath"/> and every cgroup below it.
    /// Processes come and go while we look: one that is gone is simply skipped.
    /// </summary>
    public static List<string> Of(string cgroupPath)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var paths = new List<string>();
        IEnumerable<string> files;
        try
        {
            files = Directory.EnumerateFiles(cgroupPath, "cgroup.procs", SearchOption.AllDirectories);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return paths;
        }
        foreach (var file in files)
        {
            string[] pids;
            try
            {
                pids = File.ReadAllLines(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            foreach (var pid in pids)
            {
                if (pid.Length == 0)
                    continue;
                var path = $"/proc/{pid}/ns/net";
                string? id;
                try
                {
                    id = new FileInfo(path).LinkTarget; // "net:[4026531840]": the namespace's identity
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    continue;
                }
                if (id is not null && seen.Add(id))
                    paths.Add(path);
            }
        }
        return paths;
    }
}
