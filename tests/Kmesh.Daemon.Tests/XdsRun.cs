using Kmesh.Sdk.Testing;
using Kmesh.Xds.Server;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// A governed sandbox whose daemon follows a file-backed ADS server in this test process over a
/// real gRPC stream on loopback. The server can be restarted on the same port.
/// </summary>
internal sealed class XdsRun : IAsyncDisposable
{
    private XdsRun(KernelSandbox sandbox, string directory, FileAdsServer server, DaemonProcess daemon, SandboxClient client)
    {
        Sandbox = sandbox;
        Directory = directory;
        Server = server;
        Daemon = daemon;
        Client = client;
    }

    public KernelSandbox Sandbox { get; }
    public string Directory { get; }
    public FileAdsServer Server { get; private set; }
    public DaemonProcess Daemon { get; }
    public SandboxClient Client { get; }

    /// <summary>Starts the server on <paramref name="config"/>, then the daemon with <c>--xds</c> in <paramref name="mode"/>.</summary>
    public static async Task<XdsRun> StartAsync(string config, string mode = "sotw", IEnumerable<string>? extraArguments = null, TimeSpan? readyTimeout = null)
    {
        var sandbox = await KernelSandbox.CreateAsync(new SandboxOptions { Addresses = TestMesh.SandboxAddresses });
        var directory = Path.Combine(Path.GetTempPath(), $"{sandbox.NetnsName}-xds");
        FileAdsServer? server = null;
        DaemonProcess? daemon = null;
        try
        {
            await sandbox.StartBackendsAsync(TestMesh.Backends);
            System.IO.Directory.CreateDirectory(directory);
            await File.WriteAllTextAsync(Path.Combine(directory, "mesh.yaml"), config);
            server = await FileAdsServer.StartAsync(directory, 0);
            var arguments = new List<string>
            {
                "--xds", $"127.0.0.1:{server.Port}",
                "--xds-mode", mode,
                "--cgroup", sandbox.CgroupPath,
                "--bpffs", sandbox.PinPath,
                "--plugin-dir", RepoPaths.Plugins,
            };
            arguments.AddRange(extraArguments ?? []);
            daemon = DaemonProcess.Start(RepoPaths.DaemonDll, arguments);
            await daemon.WaitReadyAsync(readyTimeout);
            var client = await sandbox.ClientAsync();
            return new XdsRun(sandbox, directory, server, daemon, client);
        }
        catch
        {
            if (daemon is not null)
                await daemon.DisposeAsync();
            if (server is not null)
                await server.DisposeAsync();
            await sandbox.DisposeAsync();
            System.IO.Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>Replaces the served file (write aside, rename over) and has the server push it now.</summary>
    public async Task PublishAsync(string config)
    {
        var path = Path.Combine(Directory, "mesh.yaml");
        await File.WriteAllTextAsync(path + ".tmp", config);
        File.Move(path + ".tmp", path, overwrite: true);
        Server.Reload();
    }

    /// <summary>Stops the server (its streams break) and, after <paramref name="downtime"/>, starts a new one on the same port.</summary>
    public async Task RestartServerAsync(TimeSpan downtime)
    {
        var port = Server.Port;
        await Server.DisposeAsync();
        await Task.Delay(downtime);
        Server = await FileAdsServer.StartAsync(Directory, port);
    }

    /// <summary>Dials until <paramref name="done"/> holds or the timeout passes.</summary>
    public Task<DialResult> DialUntilAsync(string vip, int count, Func<DialResult, bool> done, TimeSpan timeout) =>
        Client.DialUntilAsync(vip, count, done, timeout);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.DisposeAsync();
            await Daemon.DisposeAsync();
            await Server.DisposeAsync();
        }
        finally
        {
            await Sandbox.DisposeAsync();
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
