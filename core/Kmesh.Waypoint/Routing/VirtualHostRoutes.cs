namespace Kmesh.Waypoint.Routing;

/// <summary>A virtual host's routes in order; the first whose condition holds decides.</summary>
/// <param name="Resource">Where it came from, for findings and logs: <c>route NAME / virtual host NAME</c>.</param>
/// <param name="Source">The virtual host as configured, for plugins' L7 parts.</param>
internal sealed record VirtualHostRoutes(string Name, string Resource, IReadOnlyList<WaypointRoute> Routes, global::Envoy.Config.Route.V3.VirtualHost? Source = null)
{
    public WaypointRoute? Match(in RequestView request)
    {
        foreach (var route in Routes)
            if (route.Condition.Matches(request))
                return route;
        return null;
    }
}
