using Kmesh.Sdk.Snapshot;
using Kmesh.Sdk.Waypoint;

namespace Kmesh.Plugins.FaultInject.L7;

/// <summary>
/// Fault injection's L7 part: in the waypoint, Envoy's HTTP fault filter per request — the
/// <c>delay</c> and the <c>abort</c> (<c>http_status</c>, or <c>grpc_status</c> for gRPC) with their
/// percentages, only for requests whose <c>headers</c> match — from the filter's config in the
/// connection manager, overridden by <c>typed_per_filter_config</c> of the route configuration,
/// virtual host and route (the most specific wins). At connect time the same plugin can only
/// refuse a share of connections; here a path, a header and a delay all count.
/// </summary>
public sealed class FaultWaypointExtension : IWaypointExtension
{
    /// <inheritdoc />
    public IWaypointFilter? Configure(MeshSnapshot snapshot, IWaypointReport report)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new RequestFaults();
    }
}
