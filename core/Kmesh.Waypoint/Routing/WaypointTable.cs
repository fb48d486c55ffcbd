using Kmesh.Sdk.Waypoint;
using Kmesh.Waypoint.Upstream;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// One configuration in force: for each port the waypoint listens on, how requests choose a
/// virtual host; the clusters routes name; and what was not honoured. Immutable: a new
/// configuration replaces the whole table at once, so a request sees one version throughout.
/// </summary>
/// <param name="Filters">The plugins' L7 parts configured for this table, in chain order.</param>
internal sealed record WaypointTable(
    string Version,
    IReadOnlyDictionary<int, PortListenerChoice> Ports,
    IReadOnlyDictionary<string, UpstreamCluster> Clusters,
    IReadOnlyList<WaypointFinding> Findings)
{
    public static readonly WaypointTable Empty = new("", new Dictionary<int, PortListenerChoice>(), new Dictionary<string, UpstreamCluster>(), []);

    public IReadOnlyList<(string Plugin, IWaypointFilter Filter)> Filters { get; init; } = [];
}
