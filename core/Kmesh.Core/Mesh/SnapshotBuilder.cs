using System.Net;
using System.Net.Sockets;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;
using Kmesh.Xds;

namespace Kmesh.Core.Mesh;

/// <summary>
/// Turns the resources of a config source into the snapshot translators read, resolving
/// each cluster's endpoints the way its discovery type says: EDS from the
/// ClusterLoadAssignment, STATIC from <c>load_assignment</c>, STRICT_DNS and LOGICAL_DNS
/// from the daemon's DNS cache.
/// </summary>
public static class SnapshotBuilder
{
    /// <summary>Builds the snapshot; findings about unsupported parts go to <paramref name="diagnostics"/>.</summary>
    public static MeshSnapshot Build(EnvoyResources resources, string version, DnsCache dns, IMeshIds ids, List<TranslationDiagnostic> diagnostics)
    {
        var assignments = new Dictionary<string, ClusterLoadAssignment>(StringComparer.Ordinal);
        foreach (var assignment in resources.Endpoints)
            assignments[assignment.ClusterName] = assignment;

        var endpoints = new Dictionary<string, ClusterLoadAssignment>(StringComparer.Ordinal);
        foreach (var cluster in resources.Clusters)
        {
            var resolved = Resolve(cluster, assignments, dns, diagnostics);
            if (resolved is not null)
                endpoints[cluster.Name] = resolved;
        }
        return new MeshSnapshot(version, resources.Listeners, resources.Clusters, endpoints, resources.Routes, ids);
    }

    /// <summary>Host names the DNS clusters need resolved.</summary>
    public static IEnumerable<string> DnsNames(EnvoyResources resources) =>
        resources.Clusters.Where(IsDns).SelectMany(c => c.LoadAssignment?.Endpoints.SelectMany(l => l.LbEndpoints) ?? [])
            .Select(e => e.Endpoint?.Address?.SocketAddress?.Address)
            .OfType<string>()
            .Where(host => !IPAddress.TryParse(host, out _));

    /// <summary>The shortest DNS refresh interval any cluster asks for (Envoy's default is 5 s).</summary>
    public static TimeSpan DnsRefreshInterval(EnvoyResources resources)
    {
        var intervals = resources.Clusters.Where(IsDns)
            .Select(c => c.DnsRefreshRate is null ? TimeSpan.FromSeconds(5) : c.DnsRefreshRate.ToTimeSpan())
            .Where(t => t > TimeSpan.Zero)
            .ToList();
        var shortest = intervals.Count == 0 ? TimeSpan.FromSeconds(5) : intervals.Min();
        return shortest < TimeSpan.FromMilliseconds(100) ? TimeSpan.FromMilliseconds(100) : shortest;
    }

    private static bool IsDns(Cluster cluster) =>
        cluster.ClusterDiscoveryTypeCase == Cluster.ClusterDiscoveryTypeOneofCase.Type
        && cluster.Type is Cluster.Types.DiscoveryType.StrictDns or Cluster.Types.DiscoveryType.LogicalDns;

    private static ClusterLoadAssignment? Resolve(Cluster cluster, Dictionary<string, ClusterLoadAssignment> assignments, DnsCache dns, List<TranslationDiagnostic> diagnostics)
    {
        var resource = $"cluster {cluster.Name}";
        if (cluster.ClusterDiscoveryTypeCase == Cluster.ClusterDiscoveryTypeOneofCase.ClusterType)
        {
            diagnostics.Add(new(DiagnosticSeverity.Warning, resource, "cluster_type", $"custom cluster type {cluster.ClusterType.Name} is not supported; the cluster has no endpoints"));
            return null;
        }
        switch (cluster.Type)
        {
            case Cluster.Types.DiscoveryType.Static:
                return cluster.LoadAssignment;
            case Cluster.Types.DiscoveryType.Eds:
                var serviceName = string.IsNullOrEmpty(cluster.EdsClusterConfig?.ServiceName) ? cluster.Name : cluster.EdsClusterConfig.ServiceName;
                if (assignments.TryGetValue(serviceName, out var assignment))
                    return assignment;
                diagnostics.Add(new(DiagnosticSeverity.Warning, resource, "eds_cluster_config", $"no ClusterLoadAssignment for '{serviceName}' yet; the cluster has no endpoints"));
                return null;
            case Cluster.Types.DiscoveryType.StrictDns:
            case Cluster.Types.DiscoveryType.LogicalDns:
                return ResolveDns(cluster, dns);
            default:
                diagnostics.Add(new(DiagnosticSeverity.Warning, resource, "type", $"{cluster.Type} clusters are not supported; the cluster has no endpoints"));
                return null;
        }
    }

    private static ClusterLoadAssignment? ResolveDns(Cluster cluster, DnsCache dns)
    {
        if (cluster.LoadAssignment is null)
            return null;
        var logical = cluster.Type == Cluster.Types.DiscoveryType.LogicalDns;
        var result = new ClusterLoadAssignment { ClusterName = cluster.Name };
        foreach (var locality in cluster.LoadAssignment.Endpoints)
        {
            var resolvedLocality = locality.Clone();
            resolvedLocality.LbEndpoints.Clear();
            foreach (var lbEndpoint in locality.LbEndpoints)
            {
                var socket = lbEndpoint.Endpoint?.Address?.SocketAddress;
                if (socket is null)
                    continue;
                var addresses = Filter(dns.Lookup(socket.Address), cluster.DnsLookupFamily);
                // LOGICAL_DNS connects to one address of the answer; STRICT_DNS to all of them.
                foreach (var address in logical ? addresses.Take(1) : addresses)
                {
                    var copy = lbEndpoint.Clone();
                    copy.Endpoint.Address.SocketAddress.Address = address.ToString();
                    copy.Endpoint.Hostname = socket.Address;
                    resolvedLocality.LbEndpoints.Add(copy);
                }
            }
            result.Endpoints.Add(resolvedLocality);
        }
        return result;
    }

    private static IEnumerable<IPAddress> Filter(IReadOnlyList<IPAddress> addresses, Cluster.Types.DnsLookupFamily family)
    {
        var v4 = addresses.Where(a => a.AddressFamily == AddressFamily.InterNetwork);
        var v6 = addresses.Where(a => a.AddressFamily == AddressFamily.InterNetworkV6);
        return family switch
        {
            Cluster.Types.DnsLookupFamily.V4Only => v4,
            Cluster.Types.DnsLookupFamily.V6Only => v6,
            Cluster.Types.DnsLookupFamily.V4Preferred => v4.Any() ? v4 : v6,
            Cluster.Types.DnsLookupFamily.All => addresses,
            _ => v6.Any() ? v6 : v4, // AUTO: IPv6 when there is any, else IPv4
        };
    }
}
