using Envoy.Config.Cluster.V3;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using UpstreamHttpOptions = Envoy.Extensions.Upstreams.Http.V3.HttpProtocolOptions;
using Kmesh.Waypoint.Routing;

namespace Kmesh.Waypoint.Upstream;

/// <summary>
/// Turns CDS clusters and their EDS ClusterLoadAssignments (or inline <c>load_assignment</c>)
/// into <see cref="UpstreamCluster"/>s. Endpoints that are unhealthy, draining or timed out are
/// skipped; of the priorities, the first with a usable endpoint serves (Envoy's failover without
/// overprovisioning spill).
/// </summary>
internal static class UpstreamClusterBuilder
{
    private const string HttpProtocolOptionsKey = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    public static Dictionary<string, UpstreamCluster> Build(IEnumerable<Cluster> clusters, IEnumerable<ClusterLoadAssignment> assignments)
    {
        var byService = new Dictionary<string, ClusterLoadAssignment>(StringComparer.Ordinal);
        foreach (var assignment in assignments)
            byService[assignment.ClusterName] = assignment;
        var result = new Dictionary<string, UpstreamCluster>(StringComparer.Ordinal);
        foreach (var cluster in clusters)
        {
            var assignment = cluster.LoadAssignment;
            if (cluster.ClusterDiscoveryTypeCase == Cluster.ClusterDiscoveryTypeOneofCase.Type && cluster.Type == Cluster.Types.DiscoveryType.Eds)
            {
                var serviceName = cluster.EdsClusterConfig?.ServiceName is { Length: > 0 } s ? s : cluster.Name;
                byService.TryGetValue(serviceName, out assignment);
            }
            var endpoints = assignment is null ? [] : UsableEndpoints(assignment);
            var connectTimeout = cluster.ConnectTimeout?.ToTimeSpan() is { } t && t > TimeSpan.Zero ? t : UpstreamCluster.DefaultConnectTimeout;
            result[cluster.Name] = new UpstreamCluster(cluster.Name, new EndpointPicker(endpoints, cluster.LbPolicy, MaglevSize(cluster)), ProtocolOf(cluster), connectTimeout);
        }
        return result;
    }

    /// <summary>
    /// <c>maglev_lb_config.table_size</c>, or Envoy's default. A size that is not a prime (or over
    /// Envoy's limit of 5 000 011) is refused by the loadbalance plugin's translator, which reports it;
    /// the waypoint serves such a cluster with the default table rather than not at all.
    /// </summary>
    private static int MaglevSize(Cluster cluster) =>
        cluster.MaglevLbConfig?.TableSize is { } size && size <= 5_000_011 && MaglevTable.IsPrime((int)size) ? (int)size : MaglevTable.DefaultSize;

    private static List<UpstreamEndpoint> UsableEndpoints(ClusterLoadAssignment assignment)
    {
        foreach (var priority in assignment.Endpoints.GroupBy(l => l.Priority).OrderBy(g => g.Key))
        {
            var endpoints = new List<UpstreamEndpoint>();
            foreach (var locality in priority)
                foreach (var lb in locality.LbEndpoints)
                {
                    if (lb.HealthStatus is HealthStatus.Unhealthy or HealthStatus.Draining or HealthStatus.Timeout)
                        continue;
                    if (lb.Endpoint?.Address?.SocketAddress is not { } socket)
                        continue;
                    endpoints.Add(new UpstreamEndpoint(socket.Address, (int)socket.PortValue, lb.LoadBalancingWeight ?? 1));
                }
            if (endpoints.Count > 0)
                return endpoints;
        }
        return [];
    }

    private static UpstreamProtocol ProtocolOf(Cluster cluster)
    {
        if (cluster.TypedExtensionProtocolOptions.TryGetValue(HttpProtocolOptionsKey, out var any) && any.Is(UpstreamHttpOptions.Descriptor))
        {
            var options = any.Unpack<UpstreamHttpOptions>();
            return options.UpstreamProtocolOptionsCase switch
            {
                UpstreamHttpOptions.UpstreamProtocolOptionsOneofCase.UseDownstreamProtocolConfig => UpstreamProtocol.Downstream,
                UpstreamHttpOptions.UpstreamProtocolOptionsOneofCase.ExplicitHttpConfig when options.ExplicitHttpConfig.Http2ProtocolOptions is not null => UpstreamProtocol.Http2,
                _ => UpstreamProtocol.Http1,
            };
        }
#pragma warning disable CS0612 // the cluster-level field is deprecated but still honoured by Envoy
        return cluster.Http2ProtocolOptions is not null ? UpstreamProtocol.Http2 : UpstreamProtocol.Http1;
#pragma warning restore CS0612
    }
}
