using System.Net;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// The HTTP listeners that share one port, and which of them a request is for. The kernel keeps
/// the dialed port when it steers a connect here but not the dialed address, so listeners bound to
/// VIPs (<c>10.96.0.15:9080</c>) on a shared port are told apart by the request's authority when it
/// names the VIP, as clients dialing by address send it; otherwise the wildcard listener
/// (<c>0.0.0.0_9080</c>, Istio's shape) serves, or the only listener there is.
/// </summary>
internal sealed class PortListenerChoice
{
    private readonly Dictionary<IPAddress, PortRoutes> _byAddress = [];
    private PortRoutes? _wildcard;
    private PortRoutes? _only;
    private int _count;

    /// <summary>Adds a listener's routes; false when its address (or the wildcard) is taken already.</summary>
    public bool Add(IPAddress address, PortRoutes routes)
    {
        bool added;
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            added = _wildcard is null;
            _wildcard ??= routes;
        }
        else
        {
            added = _byAddress.TryAdd(address, routes);
        }
        if (added)
            _only = ++_count == 1 ? routes : null;
        return added;
    }

    /// <summary>The listener for a request with this authority, or null when none can be told.</summary>
    public PortRoutes? For(string authority) =>
        (_byAddress.Count > 0 && HostIp(authority) is { } ip && _byAddress.TryGetValue(ip, out var bound) ? bound : null)
        ?? _wildcard ?? _only;

    private static IPAddress? HostIp(string authority)
    {
        var host = authority.StartsWith('[') ? authority[1..Math.Max(1, authority.IndexOf(']', StringComparison.Ordinal))]
            : authority.Count(c => c == ':') == 1 ? authority[..authority.IndexOf(':', StringComparison.Ordinal)]
            : authority;
        return IPAddress.TryParse(host, out var ip) ? ip : null;
    }
}
