using Kmesh.Sdk.Testing;

namespace Kmesh.Sdk.Testing.Tests;

/// <summary>Clients join the sandbox's cgroup (or stay out of it); backends are never in it.</summary>
public sealed class CgroupTests
{
    [KernelFact]
    public async Task Client_inside_cgroup_is_really_in_it_and_others_are_not()
    {
        await using var sandbox = await KernelSandbox.CreateAsync();
        string expected = "0::/" + Path.GetFileName(sandbox.CgroupPath);
        var backends = await sandbox.StartBackendsAsync(new BackendSpec("b", "127.0.0.1", 8080));
        await using var inside = await sandbox.ClientAsync();
        await using var outside = await sandbox.ClientAsync(insideCgroup: false);

        var stats = await inside.StatsAsync();
        Assert.Equal(inside.Pid, stats.Pid);
        Assert.Contains(expected, CgroupLines(stats.Pid));
        Assert.Contains(stats.Pid.ToString(), File.ReadAllLines(Path.Combine(sandbox.CgroupPath, "cgroup.procs")));

        Assert.DoesNotContain(expected, CgroupLines((await outside.StatsAsync()).Pid));
        Assert.DoesNotContain(expected, CgroupLines(backends.Pid));

        // All three share the sandbox's netns, which is not the test process's own.
        var netns = (await backends.StatsAsync()).Netns;
        Assert.Equal(netns, stats.Netns);
        Assert.NotEqual(new FileInfo("/proc/self/ns/net").LinkTarget, netns);
        Assert.Equal(1, (await inside.DialAsync("127.0.0.1", 8080)).Count("b"));
        Assert.Equal(1, (await outside.DialAsync("127.0.0.1", 8080)).Count("b"));
    }

    private static string[] CgroupLines(int pid) => File.ReadAllLines($"/proc/{pid}/cgroup");
}
