using Kmesh.Core.Datapath;
using Kmesh.Core.Hosting;
using Kmesh.Core.Mesh;
using Kmesh.Core.Plugins;
using Kmesh.Core.Telemetry;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Testing;
using Kmesh.Xds;
using Microsoft.Extensions.Logging.Abstractions;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// The datapath in the test process (not the daemon): ChainDatapath started with the options a
/// test chooses (the access log on, a small traffic map), every bundled plugin, a config applied
/// by the daemon's own MeshUpdater, on a sandbox with the governance backends and a client in its
/// cgroup. The test reads <see cref="Telemetry"/> directly. Disposal detaches everything and
/// removes the sandbox, even when the test failed.
/// </summary>
internal sealed class TelemetryRun : IAsyncDisposable
{
    private TelemetryRun(KernelSandbox sandbox, ChainDatapath datapath, IMeshIds ids, SandboxClient client)
    {
        Sandbox = sandbox;
        Datapath = datapath;
        Ids = ids;
        Client = client;
    }

    public KernelSandbox Sandbox { get; }
    public ChainDatapath Datapath { get; }
    public KernelTelemetry Telemetry => Datapath.Telemetry;
    public IMeshIds Ids { get; }
    public SandboxClient Client { get; }

    public static async Task<TelemetryRun> StartAsync(bool accessLog = false, uint? trafficCapacity = null, string? config = null, uint? clusterTrafficSlots = null, StableMeshIds? ids = null)
    {
        var sandbox = await KernelSandbox.CreateAsync(new SandboxOptions { Addresses = TestMesh.SandboxAddresses });
        ChainDatapath? datapath = null;
        try
        {
            await sandbox.StartBackendsAsync(GovernanceMesh.Backends);
            var chosen = PluginCatalog.Discover([RepoPaths.Plugins]).Select([]);
            datapath = ChainDatapath.Start(new DatapathOptions
            {
                CgroupPath = sandbox.CgroupPath,
                PinFolder = sandbox.PinPath,
                AccessLog = accessLog,
                TrafficCapacity = trafficCapacity,
                ClusterTrafficSlots = clusterTrafficSlots,
            }, chosen, NullLogger.Instance);
            var updater = new MeshUpdater(datapath, new DnsCache(), NullLogger.Instance, ids);
            var prepared = updater.Prepare(EnvoyConfigFile.Parse("telemetry-mesh.yaml", config ?? TelemetryMesh.Config()), "1");
            var result = updater.Commit(prepared);
            Assert.True(result.PluginErrors.Count == 0, string.Join("; ", result.PluginErrors.Select(e => $"{e.Key}: {e.Value}")));
            var client = await sandbox.ClientAsync();
            return new TelemetryRun(sandbox, datapath, prepared.Snapshot.Ids, client);
        }
        catch
        {
            datapath?.Dispose();
            await sandbox.DisposeAsync();
            throw;
        }
    }

    /// <summary>The counters of a service (by listener name), reached through its one cluster.</summary>
    public TrafficKey Key(string listener, string cluster) => new(Ids.ServiceId(listener), Ids.ClusterId(cluster));

    /// <summary>Reads until <paramref name="done"/> holds for the service's counters or the timeout passes; returns the last read.</summary>
    public async Task<TrafficCounters> WaitTrafficAsync(TrafficKey key, Func<TrafficCounters, bool> done, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(5));
        while (true)
        {
            var counters = Telemetry.ReadTraffic().Services.GetValueOrDefault(key) ?? new TrafficCounters();
            if (done(counters) || DateTime.UtcNow > deadline)
                return counters;
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Client.DisposeAsync();
            Datapath.Dispose();
        }
        finally
        {
            await Sandbox.DisposeAsync();
        }
    }
}
