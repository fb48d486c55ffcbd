namespace Kmesh.Sdk.Snapshot;

/// <summary>
/// What changed from one <see cref="MeshSnapshot"/> to the next, by resource name: the change set
/// an <see cref="Translation.IIncrementalTranslator"/> re-translates. A name is listed when the
/// resource was added, changed or removed (look it up in the new snapshot to tell which); the
/// order of resources in the snapshot is not a change.
/// </summary>
public sealed class MeshChanges
{
    /// <summary>Wraps the changed names of each kind.</summary>
    public MeshChanges(IEnumerable<string> listeners, IEnumerable<string> clusters, IEnumerable<string> endpoints, IEnumerable<string> routes)
    {
        Listeners = listeners.ToHashSet(StringComparer.Ordinal);
        Clusters = clusters.ToHashSet(StringComparer.Ordinal);
        Endpoints = endpoints.ToHashSet(StringComparer.Ordinal);
        Routes = routes.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Nothing changed.</summary>
    public static MeshChanges None { get; } = new([], [], [], []);

    /// <summary>Listeners added, changed or removed, by name.</summary>
    public IReadOnlySet<string> Listeners { get; }

    /// <summary>Clusters added, changed or removed, by name.</summary>
    public IReadOnlySet<string> Clusters { get; }

    /// <summary>
    /// Cluster names whose entry in <see cref="MeshSnapshot.Endpoints"/> (the resolved endpoints:
    /// a ClusterLoadAssignment, a STATIC cluster's load_assignment, DNS answers) was added,
    /// changed or removed.
    /// </summary>
    public IReadOnlySet<string> Endpoints { get; }

    /// <summary>Route configurations added, changed or removed, by name.</summary>
    public IReadOnlySet<string> Routes { get; }

    /// <summary>True when nothing changed.</summary>
    public bool IsEmpty => Count == 0;

    /// <summary>True when only endpoints changed (the EDS update of a pod that came or went): listeners, clusters and routes are as they were.</summary>
    public bool OnlyEndpoints => Listeners.Count == 0 && Clusters.Count == 0 && Routes.Count == 0;

    /// <summary>How many names are listed, over all kinds.</summary>
    public int Count => Listeners.Count + Clusters.Count + Endpoints.Count + Routes.Count;

    /// <inheritdoc />
    public override string ToString() =>
        $"{Listeners.Count} listeners, {Clusters.Count} clusters, {Endpoints.Count} endpoint sets, {Routes.Count} route configurations";
}
