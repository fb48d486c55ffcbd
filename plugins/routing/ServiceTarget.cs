namespace Kmesh.Plugins.Routing;

/// <summary>Where a service sends its connects: one cluster, several by weight, or the node's L7 waypoint.</summary>
/// <param name="Clusters">Cluster names with their weights (a single cluster has weight 1); none for the waypoint.</param>
internal sealed record ServiceTarget(IReadOnlyList<(string Cluster, uint Weight)> Clusters)
{
    /// <summary>The node's L7 waypoint, which routes each request itself (<see cref="WaypointSteering"/>).</summary>
    public static readonly ServiceTarget Waypoint = new([]) { ToWaypoint = true };

    public bool ToWaypoint { get; private init; }

    public static ServiceTarget Single(string cluster) => new([(cluster, 1u)]);

    public bool SameAs(ServiceTarget other) => ToWaypoint == other.ToWaypoint && Clusters.SequenceEqual(other.Clusters);

    /// <summary>For people: <c>cluster 'reviews'</c>, <c>weighted clusters v1=90, v2=10</c> or <c>the L7 waypoint</c>.</summary>
    public string Describe() => ToWaypoint ? "the L7 waypoint" : Clusters.Count == 1
        ? $"cluster '{Clusters[0].Cluster}'"
        : "weighted clusters " + string.Join(", ", Clusters.Select(c => $"{c.Cluster}={c.Weight}"));

    public override string ToString() => ToWaypoint ? "waypoint" : string.Join(", ", Clusters.Select(c => $"{c.Cluster}={c.Weight}"));
}
