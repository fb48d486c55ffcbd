namespace Kmesh.Plugins.Routing;

/// <summary>Where a service sends its connects: one cluster, or several by weight.</summary>
/// <param name="Clusters">Cluster names with their weights (a single cluster has weight 1).</param>
internal sealed record ServiceTarget(IReadOnlyList<(string Cluster, uint Weight)> Clusters)
{
    public static ServiceTarget Single(string cluster) => new([(cluster, 1u)]);

    public bool SameAs(ServiceTarget other) => Clusters.SequenceEqual(other.Clusters);

    /// <summary>For people: <c>cluster 'reviews'</c> or <c>weighted clusters v1=90, v2=10</c>.</summary>
    public string Describe() => Clusters.Count == 1
        ? $"cluster '{Clusters[0].Cluster}'"
        : "weighted clusters " + string.Join(", ", Clusters.Select(c => $"{c.Cluster}={c.Weight}"));

    public override string ToString() => string.Join(", ", Clusters.Select(c => $"{c.Cluster}={c.Weight}"));
}
