using System.Net;
using Envoy.Config.Core.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Kmesh.Sdk.Snapshot;

namespace Kmesh.Plugins.Routing;

/// <summary>
/// Which HTTP services the kernel hands to the node's L7 waypoint (<c>kmesh run --waypoint IP</c>):
/// those whose routes need the request to decide (a route before the catch-all that sends some
/// requests elsewhere, no catch-all, an answer instead of a cluster, a cluster named by a
/// header, a mirror policy copying requests to another cluster), and those that opt in with
/// <c>filter_metadata: { kmesh: { waypoint: true } }</c> on the listener or on a route. Every
/// other service stays kernel-only. Retry policies and timeouts alone do not steer: Istio puts
/// both on every route, and steering every service would put a proxy back on every hop; a
/// service that wants them applied per request opts in. Faults and
/// HTTP rate limits alone do not steer either (their plugins say what the kernel makes of them);
/// the waypoint's L7 parts apply them per request to a service steered there.
/// </summary>
internal static class WaypointSteering
{
    private const string MetadataNamespace = "kmesh";
    private const string MetadataKey = "waypoint";

    /// <summary>Whether a virtual host's requests must go through the waypoint.</summary>
    public static bool Wants(VirtualHost host, Listener listener) =>
        OptsIn(listener.Metadata) || host.Routes.Any(r => OptsIn(r.Metadata)) || RoutesNeedRequest(host);

    /// <summary>Whether any virtual host of the connection manager's routes must go through the waypoint.</summary>
    public static bool Wants(HttpConnectionManager hcm, MeshSnapshot snapshot, Listener listener)
    {
        var routes = hcm.RouteSpecifierCase switch
        {
            HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig => hcm.RouteConfig,
            HttpConnectionManager.RouteSpecifierOneofCase.Rds => snapshot.Routes.GetValueOrDefault(hcm.Rds.RouteConfigName),
            _ => null,
        };
        if (routes is null)
            return false;
        if (routes.VirtualHosts.Any(h => Wants(h, listener)))
            return true;
        // One listener, several virtual hosts to different clusters: only the Host header can choose.
        var targets = routes.VirtualHosts.Select(h => CatchAll(h) is { ActionCase: Route.ActionOneofCase.Route_ } r ? TargetKey(r.Route_) : null).Distinct().Count();
        return targets > 1;
    }

    /// <summary>The address steered connects go to, for the hook's family: IPv4 as is for connect4, IPv4-mapped or IPv6 for connect6.</summary>
    public static (IPAddress? V4, IPAddress V6) Addresses(IPAddress waypoint) =>
        waypoint.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? (waypoint, waypoint.MapToIPv6()) : (null, waypoint);

    private static bool RoutesNeedRequest(VirtualHost host)
    {
        if (host.Routes.Any(MirrorRoutes.Mirrors))
            return true;
        var catchAll = CatchAll(host);
        if (catchAll is null || catchAll.ActionCase != Route.ActionOneofCase.Route_)
            return true;
        if (TargetKey(catchAll.Route_) is not { } target)
            return true;
        foreach (var route in host.Routes.TakeWhile(r => r != catchAll))
        {
            if (route.ActionCase != Route.ActionOneofCase.Route_ || TargetKey(route.Route_) != target)
                return true;
        }
        return false;
    }

    private static Route? CatchAll(VirtualHost host) => host.Routes.FirstOrDefault(r => WildcardHttpRoutes.IsCatchAll(r.Match));

    /// <summary>A comparable form of where a route action sends requests; null when a request header chooses.</summary>
    private static string? TargetKey(RouteAction action) => action.ClusterSpecifierCase switch
    {
        RouteAction.ClusterSpecifierOneofCase.Cluster => action.Cluster,
        RouteAction.ClusterSpecifierOneofCase.WeightedClusters when action.WeightedClusters.HeaderName.Length == 0
            && action.WeightedClusters.Clusters.All(c => c.Name.Length > 0) =>
            string.Join(",", action.WeightedClusters.Clusters.Select(c => $"{c.Name}={c.Weight ?? 0}")),
        _ => null,
    };

    private static bool OptsIn(Metadata? metadata) =>
        metadata is not null
        && metadata.FilterMetadata.TryGetValue(MetadataNamespace, out var fields)
        && fields.Fields.TryGetValue(MetadataKey, out var value)
        && value.KindCase == Google.Protobuf.WellKnownTypes.Value.KindOneofCase.BoolValue && value.BoolValue;
}
