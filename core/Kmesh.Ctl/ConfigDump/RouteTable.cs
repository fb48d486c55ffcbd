using Envoy.Config.Route.V3;
using Kmesh.Ctl.Output;
using Spectre.Console;

namespace Kmesh.Ctl.ConfigDump;

/// <summary>Routes like <c>istioctl proxy-config routes</c>: one row per virtual host, with its domains and target clusters.</summary>
internal static class RouteTable
{
    public static Table Build(IEnumerable<RouteConfiguration> routes)
    {
        var table = Tables.Create("NAME", "VIRTUAL HOST", "DOMAINS", "ROUTES", "CLUSTERS");
        foreach (var route in routes)
        {
            if (route.VirtualHosts.Count == 0)
                table.AddTextRow(route.Name, "-", "-", "0", "");
            foreach (var host in route.VirtualHosts)
            {
                table.AddTextRow(
                    route.Name,
                    host.Name,
                    string.Join(",", host.Domains),
                    host.Routes.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    string.Join(", ", host.Routes.SelectMany(Targets).Distinct()));
            }
        }
        return table;
    }

    private static IEnumerable<string> Targets(Route route)
    {
        if (route.Route_ is not { } action)
            return route.ActionCase == Route.ActionOneofCase.DirectResponse ? ["(direct response)"] : route.ActionCase == Route.ActionOneofCase.Redirect ? ["(redirect)"] : [];
        return action.ClusterSpecifierCase switch
        {
            RouteAction.ClusterSpecifierOneofCase.Cluster => [action.Cluster],
            RouteAction.ClusterSpecifierOneofCase.WeightedClusters => action.WeightedClusters.Clusters.Select(c => $"{c.Name} ({c.Weight})"),
            RouteAction.ClusterSpecifierOneofCase.ClusterHeader => ["(header " + action.ClusterHeader + ")"],
            _ => [],
        };
    }
}
