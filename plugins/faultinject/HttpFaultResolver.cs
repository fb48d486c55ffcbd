using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Http.Fault.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.FaultInject;

/// <summary>
/// Finds the HTTP fault that every request of an HTTP connection manager gets, which is
/// the only one a connect can stand for: the connect hook sees neither host nor path. The
/// fault filter's own config is overridden per route configuration, virtual host and route
/// (<c>typed_per_filter_config</c>, the most specific wins, as in Envoy); when the
/// overrides make faults differ by host or path, choosing needs L7 and nothing is injected.
/// </summary>
internal static class HttpFaultResolver
{
    public static FaultSource? Resolve(HttpConnectionManager hcm, MeshSnapshot snapshot, string resource, string field, TranslationOutput output)
    {
        var filter = FindFilter(hcm, resource, field, output, out var filterField);
        if (filter is null)
            return null;
        // A disabled filter runs only where a route's config enables it.
        var fromFilter = new FaultSource(filter.Disabled ? null : filter.TypedConfig.Unpack<HTTPFault>(), filterField);
        // Without routes (scoped routes, RDS not sent yet) routing leaves the listener out and says why.
        (RouteConfiguration? Config, string Field) routes = hcm.RouteSpecifierCase switch
        {
            HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig => (hcm.RouteConfig, $"{field}.route_config"),
            HttpConnectionManager.RouteSpecifierOneofCase.Rds when snapshot.Routes.TryGetValue(hcm.Rds.RouteConfigName, out var rds)
                => (rds, $"route_config {rds.Name}"),
            _ => (null, ""),
        };
        return routes.Config is null
            ? Applicable(fromFilter)
            : Common(filter.Name, fromFilter, routes.Config, routes.Field, resource, output);
    }

    private static HttpFilter? FindFilter(HttpConnectionManager hcm, string resource, string field, TranslationOutput output, out string filterField)
    {
        HttpFilter? found = null;
        filterField = "";
        for (var i = 0; i < hcm.HttpFilters.Count; i++)
        {
            var filter = hcm.HttpFilters[i];
            if (filter.TypedConfig?.Is(HTTPFault.Descriptor) != true)
                continue;
            if (found is not null)
            {
                output.Warn(resource, $"{field}.http_filters[{i}]", "a second fault filter; only the first is applied at connect time");
                continue;
            }
            found = filter;
            filterField = $"{field}.http_filters[{i}].typed_config";
        }
        return found;
    }

    private static FaultSource? Common(string filterName, FaultSource fromFilter, RouteConfiguration routes, string routesField, string resource, TranslationOutput output)
    {
        var level = Override(routes.TypedPerFilterConfig, filterName, $"{routesField}.typed_per_filter_config", resource, output) ?? fromFilter;
        FaultSource? common = null;
        for (var v = 0; v < routes.VirtualHosts.Count; v++)
        {
            var host = routes.VirtualHosts[v];
            var hostField = $"{routesField}.virtual_hosts[{v}]";
            var hostLevel = Override(host.TypedPerFilterConfig, filterName, $"{hostField}.typed_per_filter_config", resource, output) ?? level;
            for (var r = 0; r < host.Routes.Count; r++)
            {
                var route = host.Routes[r];
                var routeField = $"{hostField}.routes[{r}].typed_per_filter_config";
                var effective = Override(route.TypedPerFilterConfig, filterName, routeField, resource, output) is { } own
                    ? own with { RouteLevel = !IsCatchAll(route) && !own.SameFault(hostLevel) }
                    : hostLevel;
                if (common is not null && !common.SameFault(effective))
                {
                    output.Warn(resource, effective.Field, $"the fault differs from the one at {common.Field}; which applies depends on the request's host or path, which needs L7: no fault is injected at connect time");
                    return null;
                }
                common ??= effective;
                if (effective.RouteLevel && effective.Fault is not null)
                {
                    output.Warn(resource, effective.Field, "a fault on a route that does not match every request needs L7: no fault is injected at connect time");
                    return null;
                }
            }
        }
        return Applicable(common ?? level);
    }

    private static FaultSource? Applicable(FaultSource source) => source.Fault is null ? null : source;

    /// <summary>The override for the fault filter at one level, or null when this level has none.</summary>
    private static FaultSource? Override(MapField<string, Any> perFilter, string filterName, string field, string resource, TranslationOutput output)
    {
        if (!perFilter.TryGetValue(filterName, out var any))
            return null;
        field = $"{field}[{filterName}]";
        if (any.Is(HTTPFault.Descriptor))
            return new FaultSource(any.Unpack<HTTPFault>(), field);
        if (any.Is(FilterConfig.Descriptor))
        {
            var wrapped = any.Unpack<FilterConfig>();
            if (wrapped.Disabled)
                return new FaultSource(null, field);
            if (wrapped.Config?.Is(HTTPFault.Descriptor) == true)
                return new FaultSource(wrapped.Config.Unpack<HTTPFault>(), field + ".config");
        }
        output.Warn(resource, field, $"'{any.TypeUrl}' is not an HTTPFault; ignored");
        return null;
    }

    // Only a route that takes every request can stand for the whole listener.
    private static bool IsCatchAll(Route route)
    {
        var match = route.Match;
        if (match is null)
            return true;
        var everyPath = match.PathSpecifierCase == RouteMatch.PathSpecifierOneofCase.Prefix && match.Prefix is "" or "/";
        return everyPath && match.Headers.Count == 0 && match.QueryParameters.Count == 0 && match.RuntimeFraction is null && match.Grpc is null;
    }
}
