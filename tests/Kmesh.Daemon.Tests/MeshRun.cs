using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// One governed sandbox: netns with the test backends, a cgroup, the daemon attached to it
/// with a config file of its own, and a client inside the cgroup. Disposal stops the daemon
/// (SIGTERM) before the sandbox goes, even when the test failed.
/// </summary>
internal sealed class MeshRun : IAsyncDisposable
{
    private MeshRun(KernelSandbox sandbox, string configPath, DaemonProcess daemon, SandboxClient client)
    {
        Sandbox = sandbox;
        ConfigPath = configPath;
        Daemon = daemon;
        Client = client;
    }

    public KernelSandbox Sandbox { get; }
    public string ConfigPath { get; }
    public DaemonProcess Daemon { get; }
    public SandboxClient Client { get; }

    /// <summary>Starts everything; <paramref name="extraArguments"/> go to <c>kmesh run</c>.</summary>
    public static async Task<MeshRun> StartAsync(string config, IEnumerable<string>? extraArguments = null, bool waitReady = true, IEnumerable<BackendSpec>? extraBackends = null, string? pluginDirectory = null)
    {
        var sandbox = await KernelSandbox.CreateAsync(new SandboxOptions { Addresses = TestMesh.SandboxAddresses });
        DaemonProcess? daemon = null;
        var configPath = Path.Combine(Path.GetTempPath(), $"{sandbox.NetnsName}-mesh.yaml");
        try
        {
            await sandbox.StartBackendsAsync(TestMesh.Backends.Concat(extraBackends ?? []).ToArray());
            await File.WriteAllTextAsync(configPath, config);
            var arguments = new List<string>
            {
                "--config", configPath,
                "--cgroup", sandbox.CgroupPath,
                "--bpffs", sandbox.PinPath,
                "--plugin-dir", pluginDirectory ?? RepoPaths.Plugins,
            };
            arguments.AddRange(extraArguments ?? []);
            daemon = DaemonProcess.Start(RepoPaths.DaemonDll, arguments);
            if (waitReady)
                await daemon.WaitReadyAsync();
            var client = await sandbox.ClientAsync();
            return new MeshRun(sandbox, configPath, daemon, client);
        }
        catch
        {
            if (daemon is not null)
                await daemon.DisposeAsync();
            await sandbox.DisposeAsync();
            File.Delete(configPath);
            throw;
        }
    }

    /// <summary>Replaces the config file the way editors do (write aside, rename over).</summary>
    public async Task RewriteConfigAsync(string config)
    {
        var aside = ConfigPath + ".tmp";
        await File.WriteAllTextAsync(aside, config);
        File.Move(aside, ConfigPath, overwrite: true);
    }

    /// <summary>Dials until <paramref name="done"/> holds (a live change took effect) or the timeout passes.</summary>
    public Task<DialResult> DialUntilAsync(string vip, int count, Func<DialResult, bool> done, TimeSpan timeout) =>
        Client.DialUntilAsync(vip, count, done, timeout);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.DisposeAsync();
            await Daemon.DisposeAsync();
        }
        finally
        {
            await Sandbox.DisposeAsync();
            File.Delete(ConfigPath);
        }
    }
}
