using Kmesh.Sdk.Testing;
using System.Text;

namespace Kmesh.Daemon.Tests;

/// <summary>A per-node daemon gives back what a huge configuration cost it once that configuration is gone.</summary>
public sealed class MemoryReliefTests
{
    [KernelFact]
    public async Task AHugeUpdateReverted_GivesItsMemoryBack()
    {
        await using var run = await MeshRun.StartAsync(TestMesh.Config());
        var small = await HeapAsync(run);

        var skip = run.Daemon.Lines.Count;
        await run.RewriteConfigAsync(Huge(6000));
        await run.Daemon.WaitForLineAsync("Applied config .*: 6000 listeners", TimeSpan.FromSeconds(120), skip);
        var huge = await HeapAsync(run);
        skip = run.Daemon.Lines.Count;
        await run.RewriteConfigAsync(TestMesh.Config());
        await run.Daemon.WaitForLineAsync("Applied config", TimeSpan.FromSeconds(60), skip);
        var reverted = await HeapAsync(run);

        var report = $"managed heap: small {small / 1048576} MiB, huge {huge / 1048576} MiB, reverted {reverted / 1048576} MiB; RSS now {Rss(run.Daemon.Pid) / 1048576} MiB";
        Assert.True(huge > small + 10 * 1024 * 1024, $"the huge config should cost something: {report}");
        // What the huge configuration held is garbage once it is gone, and collected then, not at some later update.
        Assert.True(reverted - small < (huge - small) / 4, report);
        var result = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 3);
        Assert.Equal(3, result.Succeeded);
    }

    /// <summary>The daemon's managed heap in bytes, as its /metrics reports it (prometheus-net's dotnet_total_memory_bytes).</summary>
    private static async Task<double> HeapAsync(MeshRun run)
    {
        var (_, metrics) = await Admin.GetAsync(run.Daemon, "/metrics");
        var line = metrics.Split('\n').First(l => l.StartsWith("dotnet_total_memory_bytes ", StringComparison.Ordinal));
        return double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Resident memory of a process, in bytes.</summary>
    private static long Rss(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary><paramref name="services"/> TCP services on VIPs in 127.30.0.0/16, each with a STATIC cluster of two endpoints.</summary>
    private static string Huge(int services)
    {
        var yaml = new StringBuilder("static_resources:\n  listeners:\n");
        for (var i = 0; i < services; i++)
        {
            yaml.Append($"  - name: s{i}\n    address: {{ socket_address: {{ address: 127.30.{i / 250}.{i % 250 + 1}, port_value: 9080 }} }}\n");
            yaml.Append($"    filter_chains: [ {{ filters: [ {{ name: envoy.filters.network.tcp_proxy, typed_config: {{ \"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: s{i}, cluster: c{i} }} }} ] }} ]\n");
        }
        yaml.Append("  clusters:\n");
        for (var i = 0; i < services; i++)
        {
            yaml.Append($"  - name: c{i}\n    type: STATIC\n    load_assignment: {{ cluster_name: c{i}, endpoints: [ {{ lb_endpoints: [ ");
            yaml.Append($"{{ endpoint: {{ address: {{ socket_address: {{ address: 127.31.{i / 250}.{i % 250 + 1}, port_value: 9080 }} }} }} }}, ");
            yaml.Append($"{{ endpoint: {{ address: {{ socket_address: {{ address: 127.32.{i / 250}.{i % 250 + 1}, port_value: 9080 }} }} }} }} ] }} ] }}\n");
        }
        return yaml.ToString();
    }
}
