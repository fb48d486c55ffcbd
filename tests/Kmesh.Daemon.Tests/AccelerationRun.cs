using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// A sandbox (with extra addresses on its <c>lo</c> when asked, e.g. pod addresses a governed
/// workload dials directly), a daemon running routing, loadbalance and accelerate on its cgroup,
/// and a client agent inside that cgroup.
/// </summary>
internal sealed class AccelerationRun : IAsyncDisposable
{
    public required KernelSandbox Sandbox { get; init; }

    public required KmeshCore Core { get; set; }

    public required SandboxClient Client { get; init; }

    /// <param name="beforeTheDaemon">Runs with the client before the daemon starts (e.g. a listener that must exist first).</param>
    /// <param name="addresses">Addresses to put on the sandbox's <c>lo</c>.</param>
    public static async Task<AccelerationRun> StartAsync(string config, Func<KernelSandbox, string[]>? extraArguments = null,
        Func<SandboxClient, Task>? beforeTheDaemon = null, string[]? addresses = null)
    {
        var sandbox = await KernelSandbox.CreateAsync(new SandboxOptions { Addresses = addresses ?? [] });
        try
        {
            var client = await sandbox.ClientAsync();
            if (beforeTheDaemon is not null)
                await beforeTheDaemon(client);
            var core = await KmeshCore.StartAsync(sandbox, config, pluginDirs: [RepoPaths.Plugins],
                plugins: ["routing", "loadbalance", "accelerate"], daemonDll: RepoPaths.DaemonDll,
                extraArguments: extraArguments?.Invoke(sandbox));
            return new AccelerationRun { Sandbox = sandbox, Core = core, Client = client };
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
