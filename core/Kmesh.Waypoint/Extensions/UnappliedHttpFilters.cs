using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Waypoint.Routing;

namespace Kmesh.Waypoint.Extensions;

/// <summary>
/// The HTTP filters of the served connection managers that nothing in the waypoint applies: not
/// the router (the waypoint's own work) and no loaded plugin's L7 part (its manifest's
/// <c>httpFilters</c>). Each is reported by listener and field, with a warning when it is one
/// that refuses requests (RBAC, external or JWT authorization): those requests are served.
/// Istio's telemetry filters, and CORS with no policy on any route, change no answer and are not
/// reported.
/// </summary>
internal static class UnappliedHttpFilters
{
    private const string Router = "envoy.extensions.filters.http.router.v3.Router";

    private static readonly HashSet<string> Telemetry =
    [
        "envoy.extensions.filters.http.grpc_stats.v3.FilterConfig",
        "envoy.extensions.filters.http.alternate_protocols_cache.v3.FilterConfig",
    ];

    private static readonly HashSet<string> Refusing =
    [
        "envoy.extensions.filters.http.rbac.v3.RBAC",
        "envoy.extensions.filters.http.ext_authz.v3.ExtAuthz",
        "envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication",
        "envoy.extensions.filters.http.basic_auth.v3.BasicAuth",
        "envoy.extensions.filters.http.oauth2.v3.OAuth2",
        "envoy.extensions.filters.http.csrf.v3.CsrfPolicy",
    ];

    private const string Cors = "envoy.extensions.filters.http.cors.v3.Cors";

    /// <param name="applied">The filter types loaded plugins' L7 parts apply.</param>
    public static void Report(MeshSnapshot snapshot, IReadOnlySet<string> applied, List<WaypointFinding> findings)
    {
        foreach (var listener in snapshot.Listeners)
        {
            for (var c = 0; c < listener.FilterChains.Count; c++)
            {
                var filters = listener.FilterChains[c].Filters;
                for (var f = 0; f < filters.Count; f++)
                {
                    if (filters[f].TypedConfig?.Is(HttpConnectionManager.Descriptor) != true)
                        continue;
                    var manager = filters[f].TypedConfig.Unpack<HttpConnectionManager>();
                    Manager(listener, manager, snapshot, $"filter_chains[{c}].filters[{f}].typed_config", applied, findings);
                }
            }
        }
    }

    private static void Manager(Listener listener, HttpConnectionManager manager, MeshSnapshot snapshot, string field, IReadOnlySet<string> applied, List<WaypointFinding> findings)
    {
        for (var i = 0; i < manager.HttpFilters.Count; i++)
        {
            var filter = manager.HttpFilters[i];
            var type = filter.TypedConfig?.TypeUrl is { } url ? url[(url.LastIndexOf('/') + 1)..] : null;
            if (filter.Disabled || type is Router || type is not null && (applied.Contains(type) || Telemetry.Contains(type))
                || filter.Name.StartsWith("istio.", StringComparison.Ordinal)
                || type is Cors && !AnyRouteConfigures(filter.Name, manager, snapshot))
                continue;
            var what = type ?? (filter.ConfigDiscovery is not null ? "a config from discovery (ECDS)" : "no config");
            var consequence = type is not null && Refusing.Contains(type)
                ? "requests it would refuse are served"
                : "requests are served as if it were not in the chain";
            findings.Add(new WaypointFinding(ResourceRef.Listener(listener.Name), $"{field}.http_filters[{i}]",
                $"HTTP filter {filter.Name} ({what}) is not applied by the waypoint or by any loaded plugin's L7 part: {consequence}"));
        }
    }

    private static bool AnyRouteConfigures(string filterName, HttpConnectionManager manager, MeshSnapshot snapshot)
    {
        var routes = manager.RouteSpecifierCase switch
        {
            HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig => manager.RouteConfig,
            HttpConnectionManager.RouteSpecifierOneofCase.Rds => snapshot.Routes.GetValueOrDefault(manager.Rds.RouteConfigName),
            _ => null,
        };
        return routes is not null && (routes.TypedPerFilterConfig.ContainsKey(filterName)
            || routes.VirtualHosts.Any(h => h.TypedPerFilterConfig.ContainsKey(filterName) || h.Routes.Any(r => r.TypedPerFilterConfig.ContainsKey(filterName))));
    }
}
