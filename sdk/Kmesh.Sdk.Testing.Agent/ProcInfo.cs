namespace Kmesh.Sdk.Testing.Agent;

/// <summary>What the agent can tell about itself from /proc (for `stats` and the ready line).</summary>
internal static class ProcInfo
{
    /// <summary>The cgroup v2 path ("0::" line of /proc/self/cgroup), e.g. "/kmt-123-1".</summary>
    public static string Cgroup()
    {
        foreach (var line in File.ReadLines("/proc/self/cgroup"))
        {
            if (line.StartsWith("0::", StringComparison.Ordinal))
            {
                return line[3..];
            }
        }
        return "";
    }

    /// <summary>The network namespace identity, e.g. "net:[4026532281]".</summary>
    public static string Netns()
    {
        try
        {
            return new FileInfo("/proc/self/ns/net").LinkTarget ?? "";
        }
        catch (IOException)
        {
            return "";
        }
    }

    /// <summary>The parent pid: the process that ran `ip netns exec` (ip execs, it does not fork).</summary>
    public static int ParentPid()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("PPid:", StringComparison.Ordinal))
            {
                return int.Parse(line.AsSpan(5).Trim());
            }
        }
        return 0;
    }
}
