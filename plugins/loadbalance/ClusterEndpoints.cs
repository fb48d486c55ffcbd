using System.Net;
using System.Net.Sockets;
using Envoy.Config.Core.V3;
using Envoy.Config.Endpoint.V3;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.LoadBalance;

/// <summary>A usable endpoint of a cluster with its load-balancing weight.</summary>
internal readonly record struct WeightedEndpoint(IPEndPoint Address, uint Weight);

/// <summary>
/// Picks the endpoints a cluster balances over: those of the most preferred priority that
/// has any usable endpoint (priority 0 first; lower priorities take over when the higher
/// ones have none), skipping endpoints reported unhealthy, draining or timed out.
/// </summary>
internal static class ClusterEndpoints
{
    public static List<WeightedEndpoint> Usable(string cluster, ClusterLoadAssignment? assignment, TranslationOutput output)
    {
        var result = new List<WeightedEndpoint>();
        if (assignment is null)
            return result;
        var resource = $"cluster {cluster}";
        foreach (var priority in assignment.Endpoints.GroupBy(l => l.Priority).OrderBy(g => g.Key))
        {
            foreach (var (locality, localityIndex) in priority.Select((l, i) => (l, assignment.Endpoints.IndexOf(l))))
            {
                for (var e = 0; e < locality.LbEndpoints.Count; e++)
                {
                    var field = $"endpoints[{localityIndex}].lb_endpoints[{e}]";
                    var endpoint = ToEndpoint(locality.LbEndpoints[e], resource, field, output);
                    if (endpoint is not null)
                        result.Add(endpoint.Value);
                }
            }
            if (result.Count > 0)
                return result;
        }
        return result;
    }

    private static WeightedEndpoint? ToEndpoint(LbEndpoint lbEndpoint, string resource, string field, TranslationOutput output)
    {
        if (lbEndpoint.HealthStatus is HealthStatus.Unhealthy or HealthStatus.Draining or HealthStatus.Timeout)
            return null;
        if (lbEndpoint.HostIdentifierCase != LbEndpoint.HostIdentifierOneofCase.Endpoint)
        {
            output.Warn(resource, field, "endpoint given by endpoint_name is not supported; skipped");
            return null;
        }
        var address = lbEndpoint.Endpoint.Address;
        if (address?.AddressCase != Address.AddressOneofCase.SocketAddress)
        {
            output.Warn(resource, field + ".endpoint.address", "only socket addresses can be connected to; skipped");
            return null;
        }
        var socket = address.SocketAddress;
        if (!IPAddress.TryParse(socket.Address, out var ip))
        {
            output.Warn(resource, field + ".endpoint.address.socket_address.address", $"'{socket.Address}' is not an IP address; skipped");
            return null;
        }
        if (socket.PortValue is 0 or > 65535)
        {
            output.Warn(resource, field + ".endpoint.address.socket_address.port_value", "needs a port between 1 and 65535; skipped");
            return null;
        }
        var weight = lbEndpoint.LoadBalancingWeight ?? 1u;
        if (weight == 0)
            return null;
        return new WeightedEndpoint(new IPEndPoint(ip, (int)socket.PortValue), weight);
    }

    /// <summary>The endpoints an IPv6 connect can reach: IPv6 ones, or IPv4 ones as v4-mapped when there are none.</summary>
    public static List<WeightedEndpoint> ForIPv6(List<WeightedEndpoint> endpoints)
    {
        var v6 = endpoints.Where(e => e.Address.AddressFamily == AddressFamily.InterNetworkV6).ToList();
        if (v6.Count > 0)
            return v6;
        return endpoints.Select(e => e with { Address = new IPEndPoint(e.Address.Address.MapToIPv6(), e.Address.Port) }).ToList();
    }

    /// <summary>The endpoints an IPv4 connect can reach.</summary>
    public static List<WeightedEndpoint> ForIPv4(List<WeightedEndpoint> endpoints) =>
        endpoints.Where(e => e.Address.AddressFamily == AddressFamily.InterNetwork).ToList();
}
