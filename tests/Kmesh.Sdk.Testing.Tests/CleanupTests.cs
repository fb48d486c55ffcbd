using System.Diagnostics;
using Kmesh.Sdk.Testing;
using Xunit.Abstractions;

namespace Kmesh.Sdk.Testing.Tests;

/// <summary>Disposal removes everything the sandbox made, even when the test body threw.</summary>
public sealed class CleanupTests(ITestOutputHelper output)
{
    [KernelFact]
    public async Task Dispose_removes_netns_cgroup_pins_and_agents_even_when_the_body_threw()
    {
        KernelSandbox? sandbox = null;
        int clientPid = 0, backendsPid = 0;
        using var stray = Process.Start("sleep", "30");
        try
        {
            await Assert.ThrowsAsync<TimeZoneNotFoundException>(async () =>
            {
                await using var sb = await KernelSandbox.CreateAsync(new() { Addresses = ["fd00:100::1"] });
                sandbox = sb;
                backendsPid = (await sb.StartBackendsAsync(new BackendSpec("b", "fd00:100::1", 80))).Pid;
                clientPid = (await sb.ClientAsync()).Pid;
                // What a daemon under test leaves: a pin folder tree, and a process in the cgroup.
                Directory.CreateDirectory(Path.Combine(sb.PinPath, "maps"));
                await File.WriteAllTextAsync(Path.Combine(sb.CgroupPath, "cgroup.procs"), stray.Id.ToString());
                throw new TimeZoneNotFoundException("the test body failed");
            });

            Assert.NotNull(sandbox);
            Assert.False(File.Exists($"/run/netns/{sandbox.NetnsName}"), "netns left behind");
            Assert.False(Directory.Exists(sandbox.CgroupPath), "cgroup left behind");
            Assert.False(Directory.Exists(sandbox.PinPath), "pin folder left behind");
            Assert.False(Directory.Exists($"/proc/{clientPid}"), "client agent still running");
            Assert.False(Directory.Exists($"/proc/{backendsPid}"), "backends agent still running");
            Assert.Contains("0::/", File.ReadAllLines($"/proc/{stray.Id}/cgroup"));
        }
        finally
        {
            stray.Kill();
        }
    }

    [KernelFact]
    public async Task Create_and_dispose_are_quick()
    {
        var total = Stopwatch.StartNew();
        var sandbox = await KernelSandbox.CreateAsync(new() { Addresses = ["fd00:100::1"] });
        var created = total.Elapsed;
        await sandbox.StartBackendsAsync(new BackendSpec("b", "127.0.0.1", 80));
        await using (var client = await sandbox.ClientAsync())
        {
            Assert.Equal(1, (await client.DialAsync("127.0.0.1", 80)).Count("b"));
        }
        var used = total.Elapsed;
        await sandbox.DisposeAsync();
        var disposed = total.Elapsed - used;

        output.WriteLine($"create {created.TotalMilliseconds:F0} ms, backends+client+dial {(used - created).TotalMilliseconds:F0} ms, dispose {disposed.TotalMilliseconds:F0} ms");
        Assert.True(created < TimeSpan.FromSeconds(5), $"create took {created}");
        Assert.True(disposed < TimeSpan.FromSeconds(5), $"dispose took {disposed}");

        await sandbox.DisposeAsync(); // idempotent
        await Assert.ThrowsAsync<ObjectDisposedException>(() => sandbox.ClientAsync());
    }

    [KernelFact]
    public async Task Sandboxes_get_distinct_names_with_our_pid()
    {
        await using var a = await KernelSandbox.CreateAsync();
        await using var b = await KernelSandbox.CreateAsync();
        Assert.NotEqual(a.NetnsName, b.NetnsName);
        Assert.StartsWith($"kmt-{Environment.ProcessId}-", a.NetnsName);
        Assert.Equal(Path.Combine("/sys/fs/bpf", a.NetnsName), a.PinPath);
        Assert.False(Directory.Exists(a.PinPath));
        Assert.True(Directory.Exists(a.CgroupPath));
        Assert.Contains("127.0.0.1", await a.RunInNetnsAsync("ip", "-o", "addr", "show", "dev", "lo"));
    }
}
