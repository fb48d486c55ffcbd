using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Translation;

namespace Kmesh.Plugins.Routing;

/// <summary>
/// Finds where a listener's connects go, from what can be known at connect time: the
/// destination VIP:port. A tcp_proxy names it outright. An HTTP connection manager's
/// routes can be honoured only when every route leads to the same target, because the
/// request line is not known yet when the kernel sees connect().
/// </summary>
internal static class ListenerTargetResolver
{
    public static ServiceTarget? Resolve(Listener listener, MeshSnapshot snapshot, TranslationOutput output)
    {
        var resource = ResourceRef.Listener(listener.Name);
        var chain = PickFilterChain(listener, resource, output);
        if (chain is null)
            return null;
        var chainField = chain.Field;
        for (var i = 0; i < chain.Chain.Filters.Count; i++)
        {
            var filter = chain.Chain.Filters[i];
            var field = $"{chainField}.filters[{i}]";
            if (filter.TypedConfig is null)
            {
                output.Warn(resource, field, $"filter '{filter.Name}' has no typed_config; skipped");
                continue;
            }
            if (filter.TypedConfig.Is(TcpProxy.Descriptor))
                return FromTcpProxy(filter.TypedConfig.Unpack<TcpProxy>(), resource, field + ".typed_config", output);
            if (filter.TypedConfig.Is(HttpConnectionManager.Descriptor))
                return FromHttp(filter.TypedConfig.Unpack<HttpConnectionManager>(), snapshot, resource, field + ".typed_config", output);
        }
        output.Warn(resource, chainField, "no envoy.filters.network.tcp_proxy or http_connection_manager filter; the listener is not a service");
        return null;
    }

    private sealed record ChosenChain(FilterChain Chain, string Field);

    /// <summary>
    /// The chain every governance plugin reads (<see cref="ServiceFilterChains"/>: one rule for
    /// all), with what routing has to tell the operator about the choice.
    /// </summary>
    private static ChosenChain? PickFilterChain(Listener listener, ResourceRef resource, TranslationOutput output)
    {
        if (ServiceFilterChains.ConnectTimeChain(listener) is not { } chosen)
        {
            // Valid Envoy config we cannot decide at connect time is a warning, not an error:
            // an error would make an ADS control plane's whole response a NACK.
            if (listener.FilterChains.Count == 0)
                output.Error(resource, "filter_chains", "the listener has no filter chain");
            else
                output.Warn(resource, "filter_chains", "every filter chain has a filter_chain_match and there is no default_filter_chain; which one applies is not known at connect time, the listener is left out");
            return null;
        }
        var (chain, field) = chosen;
        if (field == "default_filter_chain" && listener.FilterChains.Count > 0)
            output.Warn(resource, "filter_chains", "filter_chain_match needs the connection's first bytes (SNI, ALPN), which connect() does not have; using default_filter_chain");
        else if (!ServiceFilterChains.MatchesEverything(chain.FilterChainMatch))
            output.Warn(resource, "filter_chains[0].filter_chain_match", "matching needs the connection's first bytes, which connect() does not have; the only filter chain is used for every connect");
        return new ChosenChain(chain, field);
    }

    private static ServiceTarget? FromTcpProxy(TcpProxy proxy, ResourceRef resource, string field, TranslationOutput output)
    {
        switch (proxy.ClusterSpecifierCase)
        {
            case TcpProxy.ClusterSpecifierOneofCase.Cluster:
                return ServiceTarget.Single(proxy.Cluster);
            case TcpProxy.ClusterSpecifierOneofCase.WeightedClusters:
                var ways = proxy.WeightedClusters.Clusters.Select(c => (c.Name, c.Weight)).ToArray();
                return Weighted(ways, resource, field + ".weighted_clusters", output);
            default:
                output.Error(resource, field, "tcp_proxy names neither cluster nor weighted_clusters");
                return null;
        }
    }

    /// <summary>
    /// The routes of an HTTP connection manager: inline, or the RDS route configuration of the
    /// snapshot. Null, reported, when RDS names one the snapshot lacks (an ADS client warms the
    /// listener until it arrives, so that is a file naming a missing one) or for scoped routes.
    /// </summary>
    internal static RouteConfiguration? RouteConfigurationOf(HttpConnectionManager hcm, MeshSnapshot snapshot, ResourceRef resource, string field, TranslationOutput output)
    {
        RouteConfiguration? routes = hcm.RouteSpecifierCase switch
        {
            HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig => hcm.RouteConfig,
            HttpConnectionManager.RouteSpecifierOneofCase.Rds => snapshot.Routes.GetValueOrDefault(hcm.Rds.RouteConfigName),
            _ => null,
        };
        if (routes is null)
        {
            if (hcm.RouteSpecifierCase == HttpConnectionManager.RouteSpecifierOneofCase.Rds)
                output.Error(resource, field, $"route configuration '{hcm.Rds.RouteConfigName}' is not known (yet)");
            else
                output.Warn(resource, field, "scoped routes need L7; the listener is left out");
        }
        return routes;
    }

    private static ServiceTarget? FromHttp(HttpConnectionManager hcm, MeshSnapshot snapshot, ResourceRef resource, string field, TranslationOutput output)
    {
        var routes = RouteConfigurationOf(hcm, snapshot, resource, field, output);
        if (routes is null)
            return null;
        ServiceTarget? common = null;
        foreach (var (route, routeField) in AllRoutes(routes))
        {
            var target = FromRouteAction(route, resource, $"{field}.{routeField}", output);
            if (target is null)
                return null;
            if (common is not null && !common.SameAs(target))
            {
                output.Warn(resource, field, "HTTP routes lead to different clusters; choosing by path or header needs L7, which the connect hook does not have: the listener is left out");
                return null;
            }
            common = target;
        }
        if (common is null)
            output.Error(resource, field, "the HTTP route configuration has no route");
        return common;
    }

    private static IEnumerable<(Route Route, string Field)> AllRoutes(RouteConfiguration routes)
    {
        for (var v = 0; v < routes.VirtualHosts.Count; v++)
            for (var r = 0; r < routes.VirtualHosts[v].Routes.Count; r++)
                yield return (routes.VirtualHosts[v].Routes[r], $"virtual_hosts[{v}].routes[{r}]");
    }

    private static ServiceTarget? FromRouteAction(Route route, ResourceRef resource, string field, TranslationOutput output)
    {
        if (route.ActionCase != Route.ActionOneofCase.Route_)
        {
            output.Warn(resource, field, $"a {route.ActionCase} action answers in HTTP and needs L7: the listener is left out");
            return null;
        }
        var action = route.Route_;
        MirrorRoutes.ReportNotCopied(route, resource, field, output);
        switch (action.ClusterSpecifierCase)
        {
            case RouteAction.ClusterSpecifierOneofCase.Cluster:
                return ServiceTarget.Single(action.Cluster);
            case RouteAction.ClusterSpecifierOneofCase.WeightedClusters:
                var ways = action.WeightedClusters.Clusters.Select(c => (c.Name, c.Weight ?? 0u)).ToArray();
                return Weighted(ways, resource, field + ".route.weighted_clusters", output);
            default:
                output.Warn(resource, field, $"cluster chosen by {action.ClusterSpecifierCase} needs L7: the listener is left out");
                return null;
        }
    }

    /// <summary>
    /// A weighted split, checked. Invalid configuration (empty, every weight 0, a sum past 32
    /// bits: Envoy refuses those too) is an error. More ways than the kernel's route holds is
    /// valid configuration we cannot carry: an error for a VIP listener as it always was, a
    /// warning when <paramref name="limitIsWarning"/> (one virtual host of a wildcard listener,
    /// whose error would refuse every service of the listener over ADS).
    /// </summary>
    internal static ServiceTarget? Weighted((string Name, uint Weight)[] ways, ResourceRef resource, string field, TranslationOutput output,
        string leftOut = "the listener is left out", bool limitIsWarning = false)
    {
        if (ways.Length == 0)
        {
            output.Error(resource, field, "weighted_clusters is empty");
            return null;
        }
        if (ways.Length > RoutingMaps.MaxClusters)
        {
            var message = $"{ways.Length} weighted clusters; at most {RoutingMaps.MaxClusters} are supported, {leftOut}";
            if (limitIsWarning)
                output.Warn(resource, field, message);
            else
                output.Error(resource, field, message);
            return null;
        }
        if (ways.All(w => w.Weight == 0))
        {
            output.Error(resource, field, "every cluster has weight 0");
            return null;
        }
        // The kernel rolls modulo a 32-bit total: a sum that wraps would skew the split (Envoy refuses it too).
        var sum = ways.Aggregate(0UL, (total, w) => total + w.Weight);
        if (sum > uint.MaxValue)
        {
            output.Error(resource, field, $"the weights sum to {sum}, more than {uint.MaxValue}; {leftOut}");
            return null;
        }
        return new ServiceTarget(ways);
    }
}
