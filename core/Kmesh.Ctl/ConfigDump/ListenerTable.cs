using Envoy.Config.Listener.V3;
using Envoy.Extensions.Filters.Network.HttpConnectionManager.V3;
using Envoy.Extensions.Filters.Network.TcpProxy.V3;
using Kmesh.Ctl.Output;
using Spectre.Console;

namespace Kmesh.Ctl.ConfigDump;

/// <summary>Listeners like <c>istioctl proxy-config listeners</c>: where each listens and where its filter chains send traffic.</summary>
internal static class ListenerTable
{
    public static Table Build(IEnumerable<Listener> listeners)
    {
        var table = Tables.Create("NAME", "ADDRESS", "CHAINS", "DESTINATION");
        foreach (var listener in listeners)
        {
            var chains = listener.FilterChains.ToList();
            if (listener.DefaultFilterChain is { } fallback)
                chains.Add(fallback);
            table.AddTextRow(
                listener.Name,
                Address(listener),
                chains.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                string.Join("; ", chains.SelectMany(c => c.Filters).Select(Destination).Distinct()));
        }
        return table;
    }

    // An internal listener (Envoy's user-space connections) has no address to show.
    private static string Address(Listener listener) =>
        listener.Address is null && listener.InternalListener is not null
            ? "(internal)"
            : ProtoText.Address(listener.Address) + (listener.AdditionalAddresses.Count > 0 ? $" +{listener.AdditionalAddresses.Count}" : "");

    private static string Destination(Filter filter)
    {
        var config = filter.TypedConfig;
        if (config is not null && config.TryUnpack<TcpProxy>(out var tcp))
        {
            return tcp.ClusterSpecifierCase == TcpProxy.ClusterSpecifierOneofCase.WeightedClusters
                ? "tcp: " + string.Join(", ", tcp.WeightedClusters.Clusters.Select(c => $"{c.Name} ({c.Weight})"))
                : "tcp: " + tcp.Cluster;
        }
        if (config is not null && config.TryUnpack<HttpConnectionManager>(out var http))
        {
            return http.RouteSpecifierCase switch
            {
                HttpConnectionManager.RouteSpecifierOneofCase.Rds => "http: route " + http.Rds.RouteConfigName,
                HttpConnectionManager.RouteSpecifierOneofCase.RouteConfig => "http: inline route " + http.RouteConfig.Name,
                _ => "http: scoped routes",
            };
        }
        return filter.Name;
    }
}
