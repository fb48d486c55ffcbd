using System.Diagnostics;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// <c>kmesh run</c> pointed at the wrong kind of folder or file: one line saying what to do, exit
/// status 2, nothing attached or pinned afterwards (RunPreflight, before the daemon starts).
/// </summary>
public sealed class BadRunCommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("kmesh-badrun-").FullName;
    private readonly string _config;
    private string? _mounted;

    public BadRunCommandLineTests()
    {
        _config = Path.Combine(_dir, "mesh.yaml");
        File.WriteAllText(_config, TestMesh.Config());
    }

    public void Dispose()
    {
        if (_mounted is not null)
            Exec("umount", _mounted);
        Directory.Delete(_dir, recursive: true);
    }

    private string Pins => Path.Combine("/sys/fs/bpf", Path.GetFileName(_dir));

    private async Task<(int Exit, string FirstLine)> RunAsync(params string[] arguments)
    {
        var (exit, stdout, stderr) = await KmeshCommand.RunAsync(["run", "--plugin-dir", RepoPaths.Plugins, .. arguments]);
        var output = stderr + stdout;
        Assert.DoesNotContain("   at ", output); // no stack trace
        Assert.False(Directory.Exists(Pins), "something was pinned");
        return (exit, output.Split('\n')[0]);
    }

    [KernelFact]
    public async Task ConfigThatIsADirectory_SaysToNameAFile()
    {
        var (exit, line) = await RunAsync("--config", _dir, "--cgroup", CgroupRoot(), "--bpffs", Pins);

        Assert.Equal(2, exit);
        Assert.Equal($"kmesh run: --config {_dir}: is a directory; --config takes one file (to serve a directory of files, run kmesh xds serve --dir {_dir} and pass --xds)", line);
    }

    [KernelFact]
    public async Task ConfigThatIsADirectory_AlreadyFailsCleanly_BeforeAnythingIsAttached()
    {
        // Without the preflight the file source refuses it: a clear line, exit 1, nothing pinned.
        var (exit, line) = await RunAsync("--config", _dir, "--cgroup", CgroupRoot(), "--bpffs", Pins);

        Assert.NotEqual(0, exit);
        Assert.Contains($"{_dir}: is a directory", line);
    }

    [KernelFact]
    public async Task CgroupInAV1Hierarchy_SaysKmeshNeedsV2()
    {
        var v1 = Path.Combine(_dir, "v1");
        Directory.CreateDirectory(v1);
        // A named v1 hierarchy without controllers can be mounted beside the unified one.
        Exec("mount", "-t", "cgroup", "-o", $"none,name=kmesh{Environment.ProcessId}", "cgroup", v1);
        _mounted = v1;

        var (exit, line) = await RunAsync("--config", _config, "--cgroup", v1, "--bpffs", Pins);

        Assert.Equal(2, exit);
        Assert.Equal($"kmesh run: --cgroup {v1}: is in a cgroup v1 hierarchy, and kmesh attaches to cgroup v2 only; pass a directory under {CgroupRoot()}", line);
    }

    [KernelFact]
    public async Task CgroupThatIsAPlainFolder_SaysItIsNotACgroup()
    {
        var (exit, line) = await RunAsync("--config", _config, "--cgroup", _dir, "--bpffs", Pins);

        Assert.Equal(2, exit);
        Assert.StartsWith($"kmesh run: --cgroup {_dir}: is not a cgroup (it is on a ", line);
        Assert.EndsWith($"file system); pass a directory under {CgroupRoot()}", line);
    }

    [KernelFact]
    public async Task BpffsThatIsNotBpffs_SaysWhereToPin()
    {
        var pins = Path.Combine(_dir, "pins");

        var (exit, line) = await RunAsync("--config", _config, "--cgroup", CgroupRoot(), "--bpffs", pins);

        Assert.Equal(2, exit);
        Assert.StartsWith($"kmesh run: --bpffs {pins}: is not on a bpf file system ({_dir} is ", line);
        Assert.EndsWith("); pass a folder under /sys/fs/bpf", line);
        Assert.False(Directory.Exists(pins));
    }

    private static void Exec(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments))!;
        process.WaitForExit(10_000);
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} failed");
    }

    private static string CgroupRoot() =>
        File.ReadLines("/proc/self/mounts").Select(l => l.Split(' ')).First(f => f.Length > 2 && f[2] == "cgroup2")[1];
}
