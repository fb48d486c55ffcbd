using System.Text;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// Envoy's priority failover on real connects: a STATIC cluster whose load_assignment holds a
/// priority-0 level of four endpoints and a priority-1 level of two. Traffic moves to priority 1
/// only as far as priority 0's health × the overprovisioning factor (1.4) falls below 100%.
/// </summary>
[Collection(GovernanceCollection.Name)]
public sealed class PriorityFailoverTests
{
    private const string Vip = "127.20.0.40";
    private static readonly TimeSpan ChangeTimeout = TimeSpan.FromSeconds(10);

    private static readonly string[] Primary = ["reviews-a", "reviews-b", "reviews-c", "reviews-d"];
    private static readonly (string Name, string Address)[] PrimaryEndpoints =
        [("reviews-a", "127.0.1.1"), ("reviews-b", "127.0.1.2"), ("reviews-c", "127.0.1.3"), ("reviews-d", "127.0.1.4")];

    private static readonly BackendSpec[] Backup = [new("backup-a", "127.0.5.1", TestMesh.Port), new("backup-b", "127.0.5.2", TestMesh.Port)];

    /// <summary>The failover service; the first <paramref name="unhealthy"/> priority-0 endpoints are marked UNHEALTHY.</summary>
    private static string Config(int unhealthy)
    {
        var yaml = new StringBuilder();
        yaml.AppendLine("static_resources:");
        yaml.AppendLine("  listeners:");
        yaml.AppendLine("  - name: failover");
        yaml.AppendLine($"    address: {{ socket_address: {{ address: \"{Vip}\", port_value: {TestMesh.Port} }} }}");
        yaml.AppendLine("    filter_chains:");
        yaml.AppendLine("    - filters:");
        yaml.AppendLine("      - name: envoy.filters.network.tcp_proxy");
        yaml.AppendLine("        typed_config:");
        yaml.AppendLine("          \"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy");
        yaml.AppendLine("          stat_prefix: failover");
        yaml.AppendLine("          cluster: failover");
        yaml.AppendLine("  clusters:");
        yaml.AppendLine("  - name: failover");
        yaml.AppendLine("    type: STATIC");
        yaml.AppendLine("    lb_policy: ROUND_ROBIN");
        yaml.AppendLine("    load_assignment:");
        yaml.AppendLine("      cluster_name: failover");
        yaml.AppendLine("      endpoints:");
        yaml.AppendLine("      - locality: { zone: primary }");
        yaml.AppendLine("        lb_endpoints:");
        for (var i = 0; i < PrimaryEndpoints.Length; i++)
        {
            yaml.AppendLine($"        - endpoint: {{ address: {{ socket_address: {{ address: \"{PrimaryEndpoints[i].Address}\", port_value: {TestMesh.Port} }} }} }}");
            yaml.AppendLine($"          health_status: {(i < unhealthy ? "UNHEALTHY" : "HEALTHY")}");
        }
        yaml.AppendLine("      - priority: 1");
        yaml.AppendLine("        locality: { zone: backup }");
        yaml.AppendLine("        lb_endpoints:");
        foreach (var backend in Backup)
            yaml.AppendLine($"        - endpoint: {{ address: {{ socket_address: {{ address: \"{backend.Address}\", port_value: {TestMesh.Port} }} }} }}");
        return yaml.ToString();
    }

    [KernelFact]
    public async Task HalfOfPriorityZeroUnhealthy_SeventyPercentStay_ThenAllHealthy_AllBack()
    {
        await using var run = await MeshRun.StartAsync(Config(unhealthy: 2), extraBackends: Backup);

        // 2 of 4 healthy: 50% × 1.4 = 70% to priority 0, 30% to priority 1. Per endpoint 35:35:15:15,
        // a 20-slot schedule (7:7:3:3): round robin over 1000 connects is 50 whole cycles.
        var degraded = await run.Client.DialAsync(Vip, TestMesh.Port, 1000);

        Assert.True(degraded.Failed == 0, $"{degraded}\n{run.Daemon.Log}");
        Assert.Equal(0, degraded.Count("reviews-a") + degraded.Count("reviews-b"));
        Assert.Equal(350, degraded.Count("reviews-c"));
        Assert.Equal(350, degraded.Count("reviews-d"));
        Assert.Equal(150, degraded.Count("backup-a"));
        Assert.Equal(150, degraded.Count("backup-b"));

        // Priority 0 healthy again: everything goes back to it.
        await run.RewriteConfigAsync(Config(unhealthy: 0));
        var switched = await run.DialUntilAsync(Vip, 40,
            r => r.Succeeded == 40 && Primary.All(name => r.Count(name) == 10), ChangeTimeout);
        Assert.True(Primary.All(name => switched.Count(name) == 10), $"priority 0 never took all the load back: {switched}\n{run.Daemon.Log}");

        var healthy = await run.Client.DialAsync(Vip, TestMesh.Port, 1000);

        Assert.Equal(0, healthy.Failed);
        Assert.All(Primary, name => Assert.Equal(250, healthy.Count(name)));
        Assert.Equal(0, healthy.Count("backup-a") + healthy.Count("backup-b"));
    }

    [KernelFact]
    public async Task OneOfFourUnhealthy_PriorityZeroKeepsEverything()
    {
        // 3 of 4 healthy: 75% × 1.4 = 105%, capped at 100%: priority 1 gets nothing.
        await using var run = await MeshRun.StartAsync(Config(unhealthy: 1), extraBackends: Backup);

        var result = await run.Client.DialAsync(Vip, TestMesh.Port, 300);

        Assert.True(result.Failed == 0, $"{result}\n{run.Daemon.Log}");
        Assert.Equal(0, result.Count("reviews-a"));
        Assert.All(Primary.Skip(1), name => Assert.Equal(100, result.Count(name)));
        Assert.Equal(0, result.Count("backup-a") + result.Count("backup-b"));
    }
}
