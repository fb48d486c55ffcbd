using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Google.Protobuf;

namespace Kmesh.Xds;

/// <summary>What a listener refers to: the RouteConfigurations it fetches and the clusters it sends connects to.</summary>
public static class EnvoyReferences
{
    /// <summary>The RouteConfigurations a listener's HTTP connection managers fetch over RDS.</summary>
    public static IEnumerable<string> RdsNames(Listener listener) =>
        HttpConnectionManagers(listener)
            .Where(hcm => hcm.RouteSpecifierCase == HttpConnectionManager.RouteSpecifierOneofCase.Rds && hcm.Rds.RouteConfigName.Length > 0)
            .Select(hcm => hcm.Rds.RouteConfigName);

    /// <summary>The route configurations a listener's HTTP connection managers carry inline (<c>route_config</c>), in filter order.</summary>
    public static IEnumerable<RouteConfiguration> InlineRoutes(Listener listener) =>
        HttpConnectionManagers(listener)
            .Where(hcm => hcm.RouteSpecifierCase == HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig)
            .Select(hcm => hcm.RouteConfig);

    /// <summary>Every HTTP connection manager of a listener's filter chains (the default chain last), in filter order.</summary>
    private static IEnumerable<HttpConnectionManager> HttpConnectionManagers(Listener listener)
    {
        var chains = listener.FilterChains.AsEnumerable();
        if (listener.DefaultFilterChain is not null)
            chains = chains.Append(listener.DefaultFilterChain);
        foreach (var filter in chains.SelectMany(c => c.Filters))
        {
            if (filter.TypedConfig is null || !filter.TypedConfig.Is(HttpConnectionManager.Descriptor))
                continue;
            HttpConnectionManager hcm;
            try
            {
                hcm = filter.TypedConfig.Unpack<HttpConnectionManager>();
            }
            catch (InvalidProtocolBufferException)
            {
                continue; // the translator reports it
            }
            yield return hcm;
        }
    }

    /// <summary>The clusters a listener sends connects to: its tcp_proxy's, or its HTTP routes' (inline or over RDS).</summary>
    public static HashSet<string> ClusterNames(Listener listener, Func<string, RouteConfiguration?> rds)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var chains = listener.FilterChains.AsEnumerable();
        if (listener.DefaultFilterChain is not null)
            chains = chains.Append(listener.DefaultFilterChain);
        foreach (var config in chains.SelectMany(c => c.Filters).Select(f => f.TypedConfig).OfType<Google.Protobuf.WellKnownTypes.Any>())
        {
            try
            {
                if (config.Is(TcpProxy.Descriptor))
                {
                    var proxy = config.Unpack<TcpProxy>();
                    names.Add(proxy.Cluster);
                    names.UnionWith(proxy.WeightedClusters?.Clusters.Select(w => w.Name) ?? []);
                }
                else if (config.Is(HttpConnectionManager.Descriptor))
                {
                    var hcm = config.Unpack<HttpConnectionManager>();
                    var routes = hcm.RouteSpecifierCase == HttpConnectionManager.RouteSpecifierOneofCase.Rds ? rds(hcm.Rds.RouteConfigName) : hcm.RouteConfig;
                    foreach (var action in routes?.VirtualHosts.SelectMany(v => v.Routes).Select(r => r.Route_).OfType<RouteAction>() ?? [])
                    {
                        names.Add(action.Cluster);
                        names.UnionWith(action.WeightedClusters?.Clusters.Select(w => w.Name) ?? []);
                    }
                }
            }
            catch (InvalidProtocolBufferException)
            {
                // The translator reports it.
            }
        }
        names.Remove("");
        return names;
    }
}
