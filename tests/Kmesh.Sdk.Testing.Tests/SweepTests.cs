using System.Diagnostics;
using Kmesh.Sdk.Testing;

namespace Kmesh.Sdk.Testing.Tests;

/// <summary>SweepStale removes leftovers of dead runs and never touches live sandboxes.</summary>
[Collection(SweepCollection.Name)]
public sealed class SweepTests
{
    [KernelFact]
    public async Task SweepStale_removes_dead_leftovers_and_keeps_live_ones()
    {
        await using var live = await KernelSandbox.CreateAsync();
        using var sleeper = Process.Start("sleep", "30");
        string stale = $"kmt-{DeadPid()}-1";
        string otherLive = $"kmt-{sleeper.Id}-1";
        try
        {
            Plant(stale);
            Plant(otherLive);

            var removed = KernelSandbox.SweepStale();

            Assert.False(File.Exists($"/run/netns/{stale}"));
            Assert.False(Directory.Exists($"/sys/fs/cgroup/unified/{stale}"));
            Assert.False(Directory.Exists($"/sys/fs/bpf/{stale}"));
            Assert.Contains($"/run/netns/{stale}", removed);
            Assert.Contains($"/sys/fs/bpf/{stale}", removed);

            Assert.True(File.Exists($"/run/netns/{otherLive}"));
            Assert.True(Directory.Exists($"/sys/fs/cgroup/unified/{otherLive}"));
            Assert.True(Directory.Exists($"/sys/fs/bpf/{otherLive}"));
            Assert.True(File.Exists($"/run/netns/{live.NetnsName}"));
            Assert.True(Directory.Exists(live.CgroupPath));
            Assert.DoesNotContain(removed, r => r.Contains(live.NetnsName) || r.Contains(otherLive));
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
            // The sleeper is gone now, so its "sandbox" is stale too: the sweep cleans up both fakes.
            KernelSandbox.SweepStale();
            Assert.False(File.Exists($"/run/netns/{otherLive}"));
        }
    }

    private static int DeadPid()
    {
        using var process = Process.Start("true")!;
        process.WaitForExit();
        Assert.False(Directory.Exists($"/proc/{process.Id}"));
        return process.Id;
    }

    private static void Plant(string name)
    {
        using var ip = Process.Start("ip", ["netns", "add", name]);
        ip.WaitForExit();
        Assert.Equal(0, ip.ExitCode);
        Directory.CreateDirectory($"/sys/fs/cgroup/unified/{name}");
        Directory.CreateDirectory($"/sys/fs/bpf/{name}/nested");
    }
}
