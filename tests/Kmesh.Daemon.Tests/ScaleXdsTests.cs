using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Kmesh.Sdk.Testing;

namespace Kmesh.Daemon.Tests;

/// <summary>
/// Issue 16 at its scale, over a real delta ADS stream: 10 000 services (100 000 endpoints) beside
/// <see cref="XdsMesh"/>'s. A one-endpoint change is translated as a one-endpoint change (every
/// plugin of the chain translated only that endpoint set), rewrites only that cluster's map
/// entries (the reconciler's count of kernel writes, which the daemon states per update), and the
/// next connects go where it says. Speed is the bench's business, not this test's.
/// </summary>
public sealed class ScaleXdsTests
{
    private const int Services = 10_000;
    private const int EndpointsPerService = 10;

    [KernelFact]
    public async Task OneEndpointChange_At10000Services_RewritesOnlyThatClustersEntries_AndConnectsSeeIt()
    {
        var filler = Filler();
        await using var run = await XdsRun.StartAsync(XdsMesh.Config() + filler, "delta", readyTimeout: TimeSpan.FromMinutes(5));
        var before = await run.Client.DialAsync(TestMesh.ReviewsVip, TestMesh.Port, 30);
        Assert.True(before.Count("reviews-c") == 10 && before.Count("reviews-d") == 0, $"{before}\n{run.Daemon.Log}");

        // reviews-c's endpoint moves to reviews-d: one ClusterLoadAssignment of 10 003 changes.
        var skip = run.Daemon.Lines.Count;
        await run.PublishAsync(XdsMesh.Config(["127.0.1.1", "127.0.1.2", "127.0.1.4"]) + filler);
        var applied = await run.Daemon.WaitForLineAsync("Applied config .*changed 0 listeners, 0 clusters, 1 endpoint sets", TimeSpan.FromMinutes(1), skip);

        var counts = Regex.Match(applied, @"(\d+) of \1 plugins translated only that; (\d+) entries written, (\d+) removed");
        Assert.True(counts.Success, applied);
        var writes = int.Parse(counts.Groups[2].Value, CultureInfo.InvariantCulture) + int.Parse(counts.Groups[3].Value, CultureInfo.InvariantCulture);
        // The reviews cluster's entries only: its load-balancing entries (the cluster's record, which
        // holds its three-endpoint tables; at most one per endpoint slot more, were they in
        // lb_schedule) — not any of the 10 000 other clusters'.
        Assert.InRange(writes, 1, 1 + 3);
        var after = await run.DialUntilAsync(TestMesh.ReviewsVip, 30, r => r.Count("reviews-d") == 10, TimeSpan.FromSeconds(15));
        Assert.True(after.Count("reviews-c") == 0 && after.Count("reviews-d") == 10, $"{after}\n{applied}");
    }

    /// <summary>The other services, as a control plane sends them: listener, EDS cluster and assignment; never dialed.</summary>
    private static string Filler()
    {
        var yaml = new StringBuilder(Services * 1400);
        for (var s = 0; s < Services; s++)
        {
            var name = "svc-" + s.ToString(CultureInfo.InvariantCulture);
            yaml.Append(CultureInfo.InvariantCulture, $$"""
                - "@type": type.googleapis.com/envoy.config.listener.v3.Listener
                  name: {{name}}
                  address: { socket_address: { address: 127.40.{{s / 250}}.{{s % 250 + 1}}, port_value: 80 } }
                  filter_chains: [ { filters: [ { name: envoy.filters.network.tcp_proxy, typed_config: { "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy, stat_prefix: {{name}}, cluster: {{name}} } } ] } ]
                - "@type": type.googleapis.com/envoy.config.cluster.v3.Cluster
                  name: {{name}}
                  type: EDS
                  eds_cluster_config: { eds_config: { ads: {} } }
                - "@type": type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment
                  cluster_name: {{name}}
                  endpoints:
                  - lb_endpoints:

                """);
            for (var e = 0; e < EndpointsPerService; e++)
            {
                var k = s * EndpointsPerService + e;
                yaml.Append(CultureInfo.InvariantCulture, $"    - endpoint: {{ address: {{ socket_address: {{ address: 127.{100 + k / 62500}.{k / 250 % 250}.{k % 250 + 1}, port_value: 9000 }} }} }}\n");
            }
        }
        return yaml.ToString();
    }
}
