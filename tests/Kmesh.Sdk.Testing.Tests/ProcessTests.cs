using Kmesh.Sdk.Testing;

namespace Kmesh.Sdk.Testing.Tests;

/// <summary>Programs of the test's choice run in the sandbox's netns, in its cgroup or not, and never outlive it.</summary>
public sealed class ProcessTests
{
    [KernelFact]
    public async Task Started_process_is_in_the_netns_and_inside_or_outside_the_cgroup_as_asked()
    {
        await using var sandbox = await KernelSandbox.CreateAsync();
        string expected = "0::/" + Path.GetFileName(sandbox.CgroupPath);
        await using var inside = await sandbox.StartProcessAsync("sleep", ["30"]);
        await using var outside = await sandbox.StartProcessAsync("sleep", ["30"], insideCgroup: false);

        Assert.True(inside.InsideCgroup);
        Assert.Contains(expected, File.ReadAllLines($"/proc/{inside.Pid}/cgroup"));
        Assert.DoesNotContain(expected, File.ReadAllLines($"/proc/{outside.Pid}/cgroup"));
        var netns = new FileInfo($"/proc/{inside.Pid}/ns/net").LinkTarget;
        Assert.Equal(netns, new FileInfo($"/proc/{outside.Pid}/ns/net").LinkTarget);
        Assert.NotEqual(new FileInfo("/proc/self/ns/net").LinkTarget, netns);
        Assert.Equal("sleep", File.ReadAllText($"/proc/{inside.Pid}/comm").Trim()); // the pid is the program's own
    }

    [KernelFact]
    public async Task Output_and_exit_code_are_reported_and_an_early_exit_fails_a_wait_with_the_output()
    {
        await using var sandbox = await KernelSandbox.CreateAsync();
        await using var shell = await sandbox.StartProcessAsync("sh", ["-c", "echo hello; echo oops >&2; exit 3"]);

        Assert.Equal("hello", await shell.WaitForOutputAsync("^hel+o$"));
        Assert.Equal(3, await shell.WaitForExitAsync());
        Assert.Contains("oops", shell.Output);
        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => shell.WaitForListenerAsync(8080));
        Assert.Contains("exited with 3", e.Message);
        Assert.Contains("oops", e.Message);
    }

    [KernelFact]
    public async Task WaitForListener_sees_ipv4_and_ipv6_listeners_of_the_netns()
    {
        await using var sandbox = await KernelSandbox.CreateAsync();
        await using var process = await sandbox.StartProcessAsync("sleep", ["30"]);
        await Assert.ThrowsAsync<TimeoutException>(() => process.WaitForListenerAsync(8080, TimeSpan.FromMilliseconds(200)));

        await sandbox.StartBackendsAsync(new BackendSpec("v4", "127.0.0.2", 8080), new BackendSpec("v6", "::1", 8081));

        await process.WaitForListenerAsync(8080, TimeSpan.FromSeconds(5));
        await process.WaitForListenerAsync(8081, TimeSpan.FromSeconds(5));
    }

    [KernelFact]
    public async Task Dispose_kills_the_process_tree_and_the_sandbox_kills_what_the_test_left_running()
    {
        var sandbox = await KernelSandbox.CreateAsync();
        var parent = await sandbox.StartProcessAsync("sh", ["-c", "sleep 300 & echo child $!; wait"]);
        var child = int.Parse((await parent.WaitForOutputAsync(@"^child \d+$"))["child ".Length..]);
        var left = await sandbox.StartProcessAsync("sleep", ["300"], insideCgroup: false);

        await parent.DisposeAsync();
        Assert.True(await GoneAsync(parent.Pid), "the process is still running");
        Assert.True(await GoneAsync(child), "its child is still running");

        await sandbox.DisposeAsync();
        Assert.True(await GoneAsync(left.Pid), "a process the test did not dispose outlived the sandbox");
        await Assert.ThrowsAsync<ObjectDisposedException>(() => sandbox.StartProcessAsync("sleep", ["1"]));
    }

    /// <summary>Gone, or a zombie waiting for whoever reaps orphans: either way no longer running.</summary>
    private static async Task<bool> GoneAsync(int pid)
    {
        for (var i = 0; i < 100; i++)
        {
            try
            {
                var stat = await File.ReadAllTextAsync($"/proc/{pid}/stat");
                if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z'))
                    return true;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or IOException)
            {
                return true;
            }
            await Task.Delay(20);
        }
        return false;
    }
}
