using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;

namespace Kmesh.Xds;

/// <summary>
/// Tells a config dump's copies from its resources. Envoy's <c>/config_dump</c> lists every
/// listener's inline route configuration again under <c>static_route_configs</c> (often under one
/// name several times, e.g. <c>local_route</c>, or unnamed), and every cluster's endpoints again
/// as a load assignment (rebuilt from its hosts, with defaults such as a locality weight of 0
/// filled in, sometimes unnamed). For an EDS cluster that assignment is the only place its
/// endpoints are, so it is a resource; for any other cluster it is a copy of what the cluster
/// carries. A copy is accounted for as such (not used, naming the original), never as a resource
/// that duplicates a name, lacks one or breaks Envoy's rules.
/// </summary>
internal sealed class DumpCopies(ResourceCollector collector)
{
    private readonly HashSet<(string Listener, int Index)> _claimed = [];
    private List<(string Listener, int Index, RouteConfiguration Routes)>? _inline;

    /// <summary>Why a route configuration of <c>static_route_configs</c> is a copy: every one is, of a listener's inline routes.</summary>
    public string RouteCopy(IMessage message)
    {
        var copy = (RouteConfiguration)message;
        _inline ??= collector.Listeners
            .SelectMany(l => EnvoyReferences.InlineRoutes(l.Listener).Select((r, i) => (Label(l.Listener.Name, l.Path), i, r)))
            .ToList();
        // Several listeners may carry routes of one name (local_route): each copy is matched to the
        // listener whose routes it is, by content, one copy per listener where there are as many.
        var match = Pick(c => c.Routes.Equals(copy)) ?? (copy.Name.Length > 0 ? Pick(c => c.Routes.Name == copy.Name) : null);
        if (match is not { } original)
            return "copy of a listener's inline route configuration (a config dump lists each under static_route_configs); " +
                   "no listener in this file carries it, and a listener fetches routes over RDS only from dynamic_route_configs";
        _claimed.Add((original.Listener, original.Index));
        return $"copy of the route configuration inline in listener {original.Listener} (a config dump lists inline routes again under static_route_configs)";
    }

    /// <summary>
    /// Why a dumped load assignment is a copy of a cluster's own endpoints, or null when it is a
    /// resource: an unnamed one is always a copy (no EDS cluster can take endpoints without a
    /// cluster_name); a named one is when it belongs to a cluster of the file that is not EDS.
    /// </summary>
    public string? EndpointCopy(IMessage message)
    {
        var copy = (ClusterLoadAssignment)message;
        var clusters = collector.Clusters;
        if (copy.ClusterName.Length > 0)
        {
            if (clusters.Any(c => IsEds(c) && ServiceName(c) == copy.ClusterName))
                return null;
            var owner = clusters.FirstOrDefault(c => !IsEds(c) && c.Name == copy.ClusterName);
            return owner is null ? null : Of(owner);
        }
        var addresses = Addresses(copy);
        var same = clusters.FirstOrDefault(c => !IsEds(c) && c.LoadAssignment is { } own && Addresses(own).SetEquals(addresses));
        return same is not null
            ? Of(same) + "; unnamed in the dump"
            : "an unnamed load assignment: a config dump's copy of a cluster's own endpoints (no EDS cluster takes endpoints without a cluster_name); no cluster in this file has these endpoints";
    }

    private (string Listener, int Index, RouteConfiguration Routes)? Pick(Func<(string Listener, int Index, RouteConfiguration Routes), bool> fits)
    {
        var fitting = _inline!.Where(fits).ToList();
        return fitting.Count == 0 ? null : fitting.FirstOrDefault(c => !_claimed.Contains((c.Listener, c.Index)), fitting[0]);
    }

    private static string Of(Cluster owner) =>
        $"copy of the endpoints of {TypeName(owner)} cluster {owner.Name}, which carries them in its own load_assignment (a config dump lists every cluster's endpoints again)";

    private static string Label(string name, string path) => name.Length > 0 ? name : $"(unnamed, {path})";

    private static bool IsEds(Cluster c) =>
        c.ClusterDiscoveryTypeCase == Cluster.ClusterDiscoveryTypeOneofCase.Type && c.Type == Cluster.Types.DiscoveryType.Eds;

    private static string ServiceName(Cluster c) =>
        string.IsNullOrEmpty(c.EdsClusterConfig?.ServiceName) ? c.Name : c.EdsClusterConfig.ServiceName;

    private static string TypeName(Cluster c) =>
        c.ClusterDiscoveryTypeCase == Cluster.ClusterDiscoveryTypeOneofCase.ClusterType
            ? "custom"
            : Cluster.Descriptor.EnumTypes.First(e => e.Name == "DiscoveryType").FindValueByNumber((int)c.Type).Name;

    private static HashSet<string> Addresses(ClusterLoadAssignment assignment) =>
        assignment.Endpoints.SelectMany(e => e.LbEndpoints)
            .Select(e => e.Endpoint?.Address?.SocketAddress is { } s ? $"{s.Address}:{s.PortValue}" : e.Endpoint?.Address?.ToString() ?? "")
            .ToHashSet(StringComparer.Ordinal);
}
