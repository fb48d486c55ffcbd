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
    public static FaultSource? Resolve(HttpConnectionManager hcm, MeshSnapshot snapshot, ResourceRef resource, string field, TranslationOutput output)
    {
        var filter = FindFilter(hcm, resource, field, output, out var filterField);
        if (filter is null)
            return null;
        var fromFilter = FromFilter(filter, filterField);
        // Without routes (scoped routes, RDS not sent yet) routing leaves the listener out and says why.
        var routes = RoutesOf(hcm, snapshot, field);
        return routes.Config is null
            ? Applicable(fromFilter)
            : Common(filter.Name, fromFilter, routes.Config, routes.Field, resource, output);
    }

    /// <summary>
    /// For a wildcard listener's HTTP connection manager (Istio's <c>0.0.0.0_PORT</c>), where each
    /// virtual host naming a VIP is a service of its own: the fault every request to each such
    /// host gets (null when none, or when it depends on the path).
    /// </summary>
    public static List<(VirtualHost Host, string Field, FaultSource? Fault)> ResolvePerHost(HttpConnectionManager hcm, MeshSnapshot snapshot, ResourceRef resource, string field, TranslationOutput output)
    {
        var result = new List<(VirtualHost, string, FaultSource?)>();
        var filter = FindFilter(hcm, resource, field, output, out var filterField);
        var routes = RoutesOf(hcm, snapshot, field);
        if (filter is null || routes.Config is null)
            return result;
        var level = Override(routes.Config.TypedPerFilterConfig, filter.Name, $"{routes.Field}.typed_per_filter_config", resource, output) ?? FromFilter(filter, filterField);
        for (var v = 0; v < routes.Config.VirtualHosts.Count; v++)
        {
            var host = routes.Config.VirtualHosts[v];
            if (!HttpVirtualHosts.NamesAVip(host))
                continue;
            var hostField = $"{routes.Field}.virtual_hosts[{v}]";
            var (agreed, fault) = HostCommon(filter.Name, level, host, hostField, resource, output);
            result.Add((host, hostField, agreed ? Applicable(fault!) : null));
        }
        return result;
    }

    // A disabled filter runs only where a route's config enables it.
    private static FaultSource FromFilter(HttpFilter filter, string filterField) =>
        new(filter.Disabled ? null : filter.TypedConfig.Unpack<HTTPFault>(), filterField);

    private static (RouteConfiguration? Config, string Field) RoutesOf(HttpConnectionManager hcm, MeshSnapshot snapshot, string field) => hcm.RouteSpecifierCase switch
    {
        HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig => (hcm.RouteConfig, $"{field}.route_config"),
        HttpConnectionManager.RouteSpecifierOneofCase.Rds when snapshot.Routes.TryGetValue(hcm.Rds.RouteConfigName, out var rds)
            => (rds, $"route_config {rds.Name}"),
        _ => (null, ""),
    };

    private static HttpFilter? FindFilter(HttpConnectionManager hcm, ResourceRef resource, string field, TranslationOutput output, out string filterField)
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

    private static FaultSource? Common(string filterName, FaultSource fromFilter, RouteConfiguration routes, string routesField, ResourceRef resource, TranslationOutput output)
    {
        var level = Override(routes.TypedPerFilterConfig, filterName, $"{routesField}.typed_per_filter_config", resource, output) ?? fromFilter;
        FaultSource? common = null;
        for (var v = 0; v < routes.VirtualHosts.Count; v++)
        {
            var (agreed, hostFault) = HostCommon(filterName, level, routes.VirtualHosts[v], $"{routesField}.virtual_hosts[{v}]", resource, output);
            if (!agreed)
                return null;
            if (common is not null && !common.SameFault(hostFault!))
            {
                output.Warn(resource, hostFault!.Field, $"the fault differs from the one at {common.Field}; which applies depends on the request's host or path, which needs L7: no fault is injected at connect time");
                return null;
            }
            common ??= hostFault;
        }
        return Applicable(common ?? level);
    }

    /// <summary>
    /// The fault every request to one virtual host gets: the host's override of the level above,
    /// or a route's own. (false, null) when its routes disagree or a fault sits on a route that
    /// does not take every request: that needs L7, and a warning says so.
    /// </summary>
    private static (bool Agreed, FaultSource? Fault) HostCommon(string filterName, FaultSource level, VirtualHost host, string hostField, ResourceRef resource, TranslationOutput output)
    {
        var hostLevel = Override(host.TypedPerFilterConfig, filterName, $"{hostField}.typed_per_filter_config", resource, output) ?? level;
        FaultSource? common = null;
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
                return (false, null);
            }
            common ??= effective;
            if (effective.RouteLevel && effective.Fault is not null)
            {
                output.Warn(resource, effective.Field, "a fault on a route that does not match every request needs L7: no fault is injected at connect time");
                return (false, null);
            }
        }
        return (true, common ?? hostLevel);
    }

    private static FaultSource? Applicable(FaultSource source) => source.Fault is null ? null : source;

    /// <summary>The override for the fault filter at one level, or null when this level has none.</summary>
    private static FaultSource? Override(MapField<string, Any> perFilter, string filterName, string field, ResourceRef resource, TranslationOutput output)
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
