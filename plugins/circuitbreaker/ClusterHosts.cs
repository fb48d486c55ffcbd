using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;

namespace Kmesh.Plugins.CircuitBreaker;

/// <summary>The hosts of a cluster as Envoy's outlier detector counts them for max_ejection_percent.</summary>
internal static class ClusterHosts
{
    /// <summary>
    /// Distinct socket-address endpoints of every priority and locality, whatever their health:
    /// Envoy's detector watches every host of the cluster. Endpoints load balancing cannot use
    /// at all (weight 0, no socket address) are not hosts.
    /// </summary>
    public static uint Count(ClusterLoadAssignment? assignment)
    {
        if (assignment is null)
            return 0;
        var seen = new HashSet<(string Address, uint Port)>();
        foreach (var locality in assignment.Endpoints)
        {
            foreach (var lbEndpoint in locality.LbEndpoints)
            {
                if (lbEndpoint.LoadBalancingWeight == 0 || lbEndpoint.HostIdentifierCase != LbEndpoint.HostIdentifierOneofCase.Endpoint)
                    continue;
                if (lbEndpoint.Endpoint.Address?.AddressCase != Address.AddressOneofCase.SocketAddress)
                    continue;
                var socket = lbEndpoint.Endpoint.Address.SocketAddress;
                seen.Add((socket.Address, socket.PortValue));
            }
        }
        return (uint)seen.Count;
    }
}
