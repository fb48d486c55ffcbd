using Envoy.Config.Cluster.V3;
using Kmesh.Core.Mesh;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using Kmesh.Xds;

namespace Kmesh.Core.Check;

/// <summary>
/// The host names of STRICT_DNS and LOGICAL_DNS clusters: stood in for (<see cref="StandInDns"/>)
/// or resolved now, and either way said, on each such cluster, as an info.
/// </summary>
internal static class DnsNames
{
    public static DnsCache Resolve(EnvoyResources resources, bool resolveNow, TranslationReports reports)
    {
        var names = SnapshotBuilder.DnsNames(resources).ToList();
        if (!resolveNow)
        {
            foreach (var (cluster, type, hosts) in DnsClusters(resources))
                reports.Add(ResourceRef.Cluster(cluster), new CheckFinding(DiagnosticSeverity.Info, "load_assignment",
                    $"{type}: the check does not look up {string.Join(", ", hosts)} (kmesh run does, and keeps them fresh); " +
                    "each name stands for one endpoint here (--resolve-dns looks them up now)", CheckSources.Check));
            return StandInDns.For(names);
        }
        var dns = new DnsCache();
        var (_, failures) = dns.RefreshAsync(names, CancellationToken.None).GetAwaiter().GetResult();
        foreach (var (cluster, _, hosts) in DnsClusters(resources))
        {
            foreach (var failure in failures.Where(f => hosts.Any(h => f.StartsWith(h + ":", StringComparison.OrdinalIgnoreCase))))
                reports.Add(ResourceRef.Cluster(cluster), new CheckFinding(DiagnosticSeverity.Info, "load_assignment",
                    $"looking up {failure}: no endpoint from that name here", CheckSources.Check));
        }
        return dns;
    }

    private static IEnumerable<(string Cluster, string Type, List<string> Hosts)> DnsClusters(EnvoyResources resources)
    {
        foreach (var cluster in resources.Clusters)
        {
            if (cluster.ClusterDiscoveryTypeCase != Cluster.ClusterDiscoveryTypeOneofCase.Type
                || cluster.Type is not (Cluster.Types.DiscoveryType.StrictDns or Cluster.Types.DiscoveryType.LogicalDns))
                continue;
            var hosts = (cluster.LoadAssignment?.Endpoints.SelectMany(l => l.LbEndpoints) ?? [])
                .Select(e => e.Endpoint?.Address?.SocketAddress?.Address)
                .OfType<string>()
                .Where(h => !System.Net.IPAddress.TryParse(h, out _))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
            if (hosts.Count > 0)
                yield return (cluster.Name, cluster.Type == Cluster.Types.DiscoveryType.StrictDns ? "STRICT_DNS" : "LOGICAL_DNS", hosts);
        }
    }
}
