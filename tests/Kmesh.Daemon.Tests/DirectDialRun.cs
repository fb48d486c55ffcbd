using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// A sandbox with pod addresses on its <c>lo</c> (10.77.0.1, fd00:77::1), a daemon running routing,
/// loadbalance and accelerate on its cgroup, and a client agent inside that cgroup: a node where a
/// governed workload can dial another one by its own address.
/// </summary>
internal sealed class DirectDialRun : IAsyncDisposable
{
    public required KernelSandbox Sandbox { get; init; }

    public required KmeshCore Core { get; init; }

    public required SandboxClient Client { get; init; }

    public static async Task<DirectDialRun> StartAsync(string config, Func<KernelSandbox, string[]>? extraArguments = null)
    {
        var sandbox = await KernelSandbox.CreateAsync(new SandboxOptions { Addresses = ["10.77.0.1", "fd00:77::1"] });
        try
        {
            var client = await sandbox.ClientAsync();
            var core = await KmeshCore.StartAsync(sandbox, config, pluginDirs: [RepoPaths.Plugins],
                plugins: ["routing", "loadbalance", "accelerate"], daemonDll: RepoPaths.DaemonDll,
                extraArguments: extraArguments?.Invoke(sandbox));
            return new DirectDialRun { Sandbox = sandbox, Core = core, Client = client };
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
    }

    public Task<AccelerationCounters> CountersAsync() => AccelerationCounters.ReadAsync(Core);

    public async Task<int> SocketsInSockhashAsync() => (await Core.ReadPinnedMapAsync("km_socks")).Count;

    /// <summary>Sockets left in the sockhash once closes have run their course (polls up to 5 s for 0).</summary>
    public async Task<int> SocketsInSockhashOnceSettledAsync()
    {
        var left = -1;
        for (var i = 0; i < 50 && left != 0; i++)
        {
            await Task.Delay(100);
            left = await SocketsInSockhashAsync();
        }
        return left;
    }

    public async ValueTask DisposeAsync()
    {
        await Client.DisposeAsync();
        await Core.DisposeAsync();
        await Sandbox.DisposeAsync();
    }
}
