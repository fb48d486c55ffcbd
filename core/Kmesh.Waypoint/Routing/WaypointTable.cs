using Kmesh.Waypoint.Upstream;

namespace Kmesh.Waypoint.Routing;

/// <summary>
/// One configuration in force: for each port the waypoint listens on, how requests choose a
/// virtual host; the clusters routes name; and what was not honoured. Immutable: a new
/// configuration replaces the whole table at once, so a request sees one version throughout.
/// </summary>
internal sealed record WaypointTable(
    string Version,
    IReadOnlyDictionary<int, HostSelector> Ports,
    IReadOnlyDictionary<string, UpstreamCluster> Clusters,
    IReadOnlyList<WaypointFinding> Findings)
{
    public static readonly WaypointTable Empty = new("", new Dictionary<int, HostSelector>(), new Dictionary<string, UpstreamCluster>(), []);
}
