using Envoy.Config.Route.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.Routing;

/// <summary>
/// A route's <c>request_mirror_policies</c> (Istio's VirtualService <c>mirror</c>): Envoy sends a
/// copy of each request to another cluster, which only something that sees requests can do. The
/// waypoint does it; a service with a mirror is steered there (<see cref="WaypointSteering"/>),
/// and without a waypoint the copies are reported as not made.
/// </summary>
internal static class MirrorRoutes
{
    public static bool Mirrors(Route route) => route.Route_?.RequestMirrorPolicies.Count > 0;

    /// <summary>Reports that the route's connects are routed but its requests are not copied.</summary>
    public static void ReportNotCopied(Route route, ResourceRef resource, string field, TranslationOutput output)
    {
        if (!Mirrors(route))
            return;
        var clusters = string.Join(", ", route.Route_.RequestMirrorPolicies.Select(p => p.Cluster.Length > 0 ? $"'{p.Cluster}'" : $"the cluster in header '{p.ClusterHeader}'"));
        output.Warn(resource, $"{field}.route.request_mirror_policies",
            $"needs L7: Envoy copies each request to {clusters}; the kernel sees connects, not requests, so no copy is made (the L7 waypoint makes them: kmesh run --waypoint)");
    }
}
