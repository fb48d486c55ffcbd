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

    /// <summary>
    /// The change set of these resources (a ClusterLoadAssignment stands for the endpoints of the
    /// cluster it names); secrets are not part of a snapshot and are ignored.
    /// </summary>
    public static MeshChanges Of(IEnumerable<ResourceRef> resources)
    {
        var byKind = resources.ToLookup(r => r.Kind, r => r.Name);
        return new MeshChanges(byKind[ResourceKind.Listener], byKind[ResourceKind.Cluster],
            byKind[ResourceKind.ClusterLoadAssignment], byKind[ResourceKind.RouteConfiguration]);
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

    /// <summary>Every resource listed, as references: listeners, clusters, endpoint sets (as ClusterLoadAssignments), route configurations.</summary>
    public IEnumerable<ResourceRef> Resources =>
        Listeners.Select(ResourceRef.Listener)
            .Concat(Clusters.Select(ResourceRef.Cluster))
            .Concat(Endpoints.Select(ResourceRef.LoadAssignment))
            .Concat(Routes.Select(ResourceRef.Routes));

    /// <summary>True when <paramref name="resource"/> is listed.</summary>
    public bool Contains(ResourceRef resource) => resource.Kind switch
    {
        ResourceKind.Listener => Listeners.Contains(resource.Name),
        ResourceKind.Cluster => Clusters.Contains(resource.Name),
        ResourceKind.ClusterLoadAssignment => Endpoints.Contains(resource.Name),
        ResourceKind.RouteConfiguration => Routes.Contains(resource.Name),
        _ => false,
    };

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
