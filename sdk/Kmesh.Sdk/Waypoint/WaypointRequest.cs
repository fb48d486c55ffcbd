using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Microsoft.AspNetCore.Http;

namespace Kmesh.Sdk.Waypoint;

/// <summary>
/// One request in the waypoint, with the resources that decided it: the listener and its HTTP
/// connection manager (their <c>http_filters</c> carry filter configs), the route configuration,
/// the virtual host and the route that matched (their <c>typed_per_filter_config</c> override
/// them, the most specific winning, as in Envoy). The resource objects are those of the
/// configuration in force, the same instances for every request under it: an extension may key
/// a cache on them.
/// </summary>
/// <param name="Context">The request; write to its response to answer it.</param>
/// <param name="Listener">The listener whose port the request came in on.</param>
/// <param name="Manager">The listener's HTTP connection manager.</param>
/// <param name="RouteConfiguration">Its route configuration (inline or by RDS).</param>
/// <param name="VirtualHost">The virtual host the authority chose.</param>
/// <param name="Route">The route that matched.</param>
public sealed record WaypointRequest(
    HttpContext Context,
    Listener Listener,
    HttpConnectionManager Manager,
    RouteConfiguration RouteConfiguration,
    VirtualHost VirtualHost,
    Route Route);
