using System.Globalization;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Kmesh.Ctl.Output;
using Spectre.Console;

namespace Kmesh.Ctl.ConfigDump;

/// <summary>Clusters like <c>istioctl proxy-config clusters</c>: discovery type, load-balancing policy, how many endpoints.</summary>
internal static class ClusterTable
{
    /// <param name="clusters">The clusters to show.</param>
    /// <param name="assignments">EDS assignments, to count the endpoints of clusters that have no inline ones.</param>
    public static Table Build(IEnumerable<Cluster> clusters, IReadOnlyList<ClusterLoadAssignment> assignments)
    {
        var byName = assignments.GroupBy(a => a.ClusterName).ToDictionary(g => g.Key, g => g.First());
        var table = Tables.Create("NAME", "TYPE", "LB POLICY", "ENDPOINTS");
        foreach (var cluster in clusters)
            table.AddTextRow(cluster.Name, Type(cluster), Policy(cluster), EndpointCount(cluster, byName));
        return table;
    }

    private static string Type(Cluster cluster) =>
        cluster.ClusterDiscoveryTypeCase == Cluster.ClusterDiscoveryTypeOneofCase.ClusterType
            ? cluster.ClusterType.Name
            : ProtoText.EnumName(cluster.Type);

    // The newer load_balancing_policy wins over lb_policy in Envoy; show what Envoy would use.
    private static string Policy(Cluster cluster)
    {
        var first = cluster.LoadBalancingPolicy?.Policies.FirstOrDefault()?.TypedExtensionConfig;
        if (first is not null)
            return first.TypedConfig is { } config ? ProtoText.ShortType(config.TypeUrl) : first.Name;
        return ProtoText.EnumName(cluster.LbPolicy);
    }

    private static string EndpointCount(Cluster cluster, IReadOnlyDictionary<string, ClusterLoadAssignment> byName)
    {
        var assignment = cluster.LoadAssignment;
        if (assignment is null)
        {
            var serviceName = string.IsNullOrEmpty(cluster.EdsClusterConfig?.ServiceName) ? cluster.Name : cluster.EdsClusterConfig.ServiceName;
            byName.TryGetValue(serviceName, out assignment);
        }
        return assignment is null
            ? "-"
            : assignment.Endpoints.Sum(locality => locality.LbEndpoints.Count).ToString(CultureInfo.InvariantCulture);
    }
}
