using System.Text;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// Clusters of 10 000 endpoints on real connects (issue 17): every endpoint takes connects, and
/// each its weight's share; and clusters at the edge of what a cluster's record holds itself. The endpoints are 10 000 addresses of the sandbox's namespace
/// (127.17.0.0/16, and fd00:17::/112 made local with one route) behind one wildcard echo backend
/// per family that answers with the address the connect reached, so no 10 000 listeners.
/// </summary>
[Collection(GovernanceCollection.Name)]
public sealed class LargeClusterTests
{
    private const int Endpoints = 10_000;
    private const int PortV4 = 9717, PortV6 = 9718;
    private const string VipV4 = "127.20.17.1", VipV6 = "fd00:20::17";
    private const string V6Prefix = "fd00:17::";

    [KernelTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RoundRobin_TenThousandEqualEndpoints_OnePassReachesEachOnce(bool ipv6)
    {
        await using var run = await StartAsync("ROUND_ROBIN", ipv6, weighted: false);

        var result = await DialAsync(run, ipv6, Endpoints);

        // Equal weights: one column each, none with an alias, walked in turn.
        Assert.Equal(Endpoints, result.Histogram.Count);
        Assert.All(result.Histogram.Values, count => Assert.Equal(1, count));
    }

    /// <summary>
    /// Small tables are read from the cluster's own record (lb_clusters, up to 28 columns of both
    /// families together), larger ones from lb_schedule: at the edge, every endpoint still takes
    /// one connect per pass. 28 IPv6 endpoints fill the record; 29 do not fit it; 20 IPv4
    /// endpoints fit it while their v4-mapped IPv6 table goes to lb_schedule.
    /// </summary>
    [KernelTheory]
    [InlineData(28, true)]
    [InlineData(29, true)]
    [InlineData(20, false)]
    public async Task RoundRobin_TablesAtTheRecordsEdge_OnePassReachesEachOnce(int endpoints, bool ipv6)
    {
        await using var run = await StartAsync("ROUND_ROBIN", ipv6, weighted: false, endpoints);

        var result = await DialAsync(run, ipv6, 2 * endpoints);

        Assert.Equal(endpoints, result.Histogram.Count);
        Assert.All(result.Histogram.Values, count => Assert.Equal(2, count));
    }

    /// <summary>
    /// Endpoint i has weight 1 + i % 4: four classes of 2 500 endpoints taking 10, 20, 30 and 40%.
    /// The sum (25 000) is beyond a 1 024-slot schedule, so the cluster is an alias table.
    /// </summary>
    [KernelTheory]
    [InlineData("ROUND_ROBIN", false)]
    [InlineData("ROUND_ROBIN", true)]
    [InlineData("RANDOM", false)]
    [InlineData("LEAST_REQUEST", true)]
    public async Task Weighted_TenThousandEndpoints_SharesFollowTheWeights(string policy, bool ipv6)
    {
        const int dials = 4 * Endpoints;
        await using var run = await StartAsync(policy, ipv6, weighted: true);

        var result = await DialAsync(run, ipv6, dials);

        var perClass = new double[4];
        foreach (var (name, count) in result.Histogram)
            perClass[Class(name, ipv6)] += count;
        for (var c = 0; c < 4; c++)
        {
            var expected = dials * (c + 1) / 10.0;
            // RANDOM and LEAST_REQUEST: six standard deviations of a binomial count (a false
            // failure about once in 10^9 runs). ROUND_ROBIN is deterministic: each column's
            // keep/alias split follows a golden-ratio sequence, within a connect or two per
            // column and pass, far inside the same bound.
            var tolerance = 6 * Math.Sqrt(dials * ((c + 1) / 10.0) * (1 - (c + 1) / 10.0));
            Assert.True(Math.Abs(perClass[c] - expected) <= tolerance,
                $"weight {c + 1}: {perClass[c]} connects for {expected} ± {tolerance:F0}; classes {string.Join(", ", perClass)}");
        }
        if (policy == "ROUND_ROBIN")
        {
            // Four passes: even a weight-1 endpoint (a column kept for 40% of draws) is reached,
            // since any four points of the golden-ratio sequence leave no gap of 40%.
            Assert.Equal(Endpoints, result.Histogram.Count);
        }
    }

    private static async Task<DialResult> DialAsync(MeshRun run, bool ipv6, int count)
    {
        var result = await run.Client.DialAsync(ipv6 ? VipV6 : VipV4, ipv6 ? PortV6 : PortV4, count);
        Assert.True(result.Failed == 0, $"failed connects: {result}\n{run.Daemon.Log}");
        Assert.All(result.Histogram.Keys, name => Assert.StartsWith(ipv6 ? $"any6 [{V6Prefix}" : "any4 127.17.", name));
        return result;
    }

    /// <summary>The weight class (weight - 1) of the endpoint a greeting names.</summary>
    private static int Class(string name, bool ipv6)
    {
        var address = name[(name.IndexOf(' ', StringComparison.Ordinal) + 1)..];
        var endpoint = System.Net.IPEndPoint.Parse(address);
        var bytes = endpoint.Address.GetAddressBytes();
        var index = (bytes[^2] << 8) | bytes[^1];
        if (!ipv6)
            index -= 1; // 127.17.0.1 is endpoint 0: a host part of 0 is avoided
        return index % 4;
    }

    private static string Address(int i, bool ipv6) =>
        ipv6 ? $"{V6Prefix}{i:x}" : $"127.17.{(i + 1) >> 8}.{(i + 1) & 255}";

    private static async Task<MeshRun> StartAsync(string policy, bool ipv6, bool weighted, int endpoints = Endpoints)
    {
        BackendSpec backend = ipv6 ? new("any6 {local}", "::", PortV6) : new("any4 {local}", "0.0.0.0", PortV4);
        var run = await MeshRun.StartAsync(Config(policy, ipv6, weighted, endpoints), extraBackends: [backend]);
        if (ipv6)
        {
            try
            {
                // Every address of the prefix is local to the namespace (as 127/8 is), so the
                // wildcard backend answers for all of them; the route goes with the namespace.
                await run.Sandbox.RunInNetnsAsync("ip", "-6", "route", "add", "local", $"{V6Prefix}/112", "dev", "lo");
            }
            catch
            {
                await run.DisposeAsync();
                throw;
            }
        }
        return run;
    }

    private static string Config(string policy, bool ipv6, bool weighted, int endpoints)
    {
        var (vip, port) = ipv6 ? (VipV6, PortV6) : (VipV4, PortV4);
        var yaml = new StringBuilder();
        yaml.AppendLine("static_resources:");
        yaml.AppendLine("  listeners:");
        yaml.AppendLine("  - name: large");
        yaml.AppendLine($"    address: {{ socket_address: {{ address: \"{vip}\", port_value: {port} }} }}");
        yaml.AppendLine("    filter_chains:");
        yaml.AppendLine("    - filters:");
        yaml.AppendLine("      - name: envoy.filters.network.tcp_proxy");
        yaml.AppendLine("        typed_config:");
        yaml.AppendLine("          \"@type\": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy");
        yaml.AppendLine("          stat_prefix: large");
        yaml.AppendLine("          cluster: large");
        yaml.AppendLine("  clusters:");
        yaml.AppendLine("  - name: large");
        yaml.AppendLine("    type: STATIC");
        yaml.AppendLine($"    lb_policy: {policy}");
        yaml.AppendLine("    load_assignment:");
        yaml.AppendLine("      cluster_name: large");
        yaml.AppendLine("      endpoints:");
        yaml.AppendLine("      - lb_endpoints:");
        for (var i = 0; i < endpoints; i++)
        {
            var weight = weighted ? $", load_balancing_weight: {1 + i % 4}" : "";
            yaml.AppendLine($"        - {{ endpoint: {{ address: {{ socket_address: {{ address: \"{Address(i, ipv6)}\", port_value: {port} }} }} }}{weight} }}");
        }
        return yaml.ToString();
    }
}
