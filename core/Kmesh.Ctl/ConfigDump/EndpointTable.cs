using System.Globalization;
using Envoy.Config.Endpoint.V3;
using Kmesh.Ctl.Output;
using Spectre.Console;

namespace Kmesh.Ctl.ConfigDump;

/// <summary>Endpoints like <c>istioctl proxy-config endpoints</c>: one row per endpoint of each cluster.</summary>
internal static class EndpointTable
{
    public static Table Build(IEnumerable<ClusterLoadAssignment> assignments)
    {
        var table = Tables.Create("CLUSTER", "ENDPOINT", "WEIGHT", "HEALTH", "PRIORITY");
        foreach (var assignment in assignments)
        {
            foreach (var locality in assignment.Endpoints)
            {
                foreach (var endpoint in locality.LbEndpoints)
                {
                    table.AddTextRow(
                        assignment.ClusterName,
                        Address(endpoint),
                        // Envoy's default weight is 1.
                        (endpoint.LoadBalancingWeight ?? 1).ToString(CultureInfo.InvariantCulture),
                        ProtoText.EnumName(endpoint.HealthStatus),
                        locality.Priority.ToString(CultureInfo.InvariantCulture));
                }
            }
        }
        return table;
    }

    private static string Address(LbEndpoint endpoint) =>
        endpoint.HostIdentifierCase == LbEndpoint.HostIdentifierOneofCase.EndpointName
            ? "named:" + endpoint.EndpointName
            : ProtoText.Address(endpoint.Endpoint?.Address);
}
