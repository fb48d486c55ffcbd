using System.Buffers.Binary;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>acc_counters (kmesh-plugin.json's order), summed over CPUs.</summary>
internal readonly record struct AccelerationCounters(ulong Connections, ulong Messages, ulong Bytes)
{
    public static async Task<AccelerationCounters> ReadAsync(KmeshCore core)
    {
        var values = (await core.ReadPinnedMapAsync("acc_counters"))
            .ToDictionary(e => BinaryPrimitives.ReadUInt32LittleEndian(e.Key), e => BinaryPrimitives.ReadUInt64LittleEndian(e.Value));
        return new(values.GetValueOrDefault(0u), values.GetValueOrDefault(1u), values.GetValueOrDefault(2u));
    }
}

/// <summary>
/// A sandbox whose daemon runs routing, loadbalance and accelerate with one service: VIP:port to a
/// single endpoint. Put the server and the client inside the cgroup (the sandbox's client agents,
/// or <see cref="KernelSandbox.StartProcessAsync"/>) and their connection is accelerated.
/// </summary>
internal sealed class AcceleratedService : IAsyncDisposable
{
    private AcceleratedService(KernelSandbox sandbox, KmeshCore core)
    {
        Sandbox = sandbox;
        Core = core;
    }

    public KernelSandbox Sandbox { get; }

    public KmeshCore Core { get; }

    public static async Task<AcceleratedService> StartAsync(string vip, int vipPort, string endpoint, int endpointPort)
    {
        var sandbox = await KernelSandbox.CreateAsync();
        try
        {
            var core = await KmeshCore.StartAsync(sandbox, Config(vip, vipPort, endpoint, endpointPort), pluginDirs: [RepoPaths.Plugins],
                plugins: ["routing", "loadbalance", "accelerate"], daemonDll: RepoPaths.DaemonDll);
            return new AcceleratedService(sandbox, core);
        }
        catch
        {
            await sandbox.DisposeAsync();
            throw;
        }
    }

    public Task<AccelerationCounters> CountersAsync() => AccelerationCounters.ReadAsync(Core);

    /// <summary>Whether <paramref name="pid"/> runs in the governed cgroup: the precondition of acceleration.</summary>
    public bool IsGoverned(int pid) =>
        File.ReadAllLines($"/proc/{pid}/cgroup").Contains("0::/" + Path.GetFileName(Sandbox.CgroupPath));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Core.DisposeAsync();
        }
        finally
        {
            await Sandbox.DisposeAsync();
        }
    }

    private static string Config(string vip, int vipPort, string endpoint, int endpointPort) => $$"""
        static_resources:
          listeners:
          - name: app
            address: { socket_address: { address: "{{vip}}", port_value: {{vipPort}} } }
            filter_chains:
            - filters:
              - name: envoy.filters.network.tcp_proxy
                typed_config:
                  "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
                  stat_prefix: app
                  cluster: app
          clusters:
          - name: app
            type: STATIC
            load_assignment:
              cluster_name: app
              endpoints:
              - lb_endpoints:
                - endpoint: { address: { socket_address: { address: "{{endpoint}}", port_value: {{endpointPort}} } } }
        """;
}
