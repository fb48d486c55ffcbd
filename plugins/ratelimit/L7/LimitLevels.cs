using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Sdk.Waypoint;
using HttpLocalRateLimit = Envoy.Extensions.Filters.Http.LocalRatelimit.V3.LocalRateLimit;

namespace Kmesh.Plugins.RateLimit.L7;

/// <summary>
/// Which HTTP <c>local_ratelimit</c> config a request meets, and at which level it is configured:
/// the route's <c>typed_per_filter_config</c>, else its virtual host's, else its route
/// configuration's, else the filter's own in the connection manager (Envoy's most specific per-filter
/// config). Each level is named so that its bucket is its own: a route with an override does not
/// share the virtual host's tokens.
/// </summary>
internal static class LimitLevels
{
    /// <summary>The connection manager's first HTTP local rate limit filter, with its index.</summary>
    public static (HttpFilter Filter, int Index)? FilterOf(HttpConnectionManager manager)
    {
        for (var i = 0; i < manager.HttpFilters.Count; i++)
        {
            if (manager.HttpFilters[i].TypedConfig?.Is(HttpLocalRateLimit.Descriptor) == true)
                return (manager.HttpFilters[i], i);
        }
        return null;
    }

    /// <summary>The config in effect (null: no limit) and its level's name, or null when the manager has no such filter.</summary>
    public static (HttpLocalRateLimit? Config, string Level)? Effective(WaypointRequest request) =>
        Effective(request.Listener, request.Manager, request.RouteConfiguration, request.VirtualHost, request.Route);

    /// <inheritdoc cref="Effective(WaypointRequest)"/>
    public static (HttpLocalRateLimit? Config, string Level)? Effective(Listener listener, HttpConnectionManager manager, RouteConfiguration routeConfiguration, VirtualHost virtualHost, Route route)
    {
        if (FilterOf(manager) is not { Filter: var filter })
            return null;
        var routes = manager.RouteSpecifierCase == HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig
            ? $"listener {listener.Name} route_config {routeConfiguration.Name}"
            : $"route_config {routeConfiguration.Name}";
        var host = $"{routes} virtual_host {virtualHost.Name}";
        if (Override(route.TypedPerFilterConfig, filter.Name) is { } onRoute)
            return (onRoute.Config, $"{host} route {RouteName(virtualHost, route)}");
        if (Override(virtualHost.TypedPerFilterConfig, filter.Name) is { } onHost)
            return (onHost.Config, host);
        if (Override(routeConfiguration.TypedPerFilterConfig, filter.Name) is { } onRoutes)
            return (onRoutes.Config, routes);
        var level = $"listener {listener.Name} http {manager.StatPrefix} filter {filter.Name}";
        return (filter.Disabled ? null : filter.TypedConfig.Unpack<HttpLocalRateLimit>(), level);
    }

    /// <summary>This level's override of the filter (<see cref="PerFilterConfigs.Override{T}"/>).</summary>
    public static (HttpLocalRateLimit? Config, string Field)? Override(MapField<string, Any> perFilter, string filterName) =>
        PerFilterConfigs.Override<HttpLocalRateLimit>(perFilter, filterName);

    // A route's name when it has one; its place otherwise (by reference: equal routes are distinct levels).
    private static string RouteName(VirtualHost host, Route route)
    {
        if (route.Name.Length > 0)
            return route.Name;
        for (var i = 0; i < host.Routes.Count; i++)
        {
            if (ReferenceEquals(host.Routes[i], route))
                return $"#{i}";
        }
        return "?";
    }
}
