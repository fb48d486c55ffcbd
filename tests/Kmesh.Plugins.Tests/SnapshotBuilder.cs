using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Kmesh.Sdk.Snapshot;

namespace Kmesh.Plugins.Tests;

/// <summary>Collects resources into a <see cref="MeshSnapshot"/> with fresh ids.</summary>
internal sealed class SnapshotBuilder
{
    private readonly List<Listener> _listeners = new();
    private readonly List<Cluster> _clusters = new();
    private readonly List<KeyValuePair<string, ClusterLoadAssignment>> _endpoints = new();
    private readonly List<RouteConfiguration> _routes = new();

    public StableMeshIds Ids { get; } = new();

    public SnapshotBuilder Listener(Listener listener)
    {
        _listeners.Add(listener);
        return this;
    }

    /// <summary>
    /// Adds a cluster. A cluster carrying its own <c>load_assignment</c> (STATIC) also gets it as
    /// its resolved endpoints, as the core does before handing the snapshot to translators.
    /// </summary>
    public SnapshotBuilder Cluster(Cluster cluster)
    {
        _clusters.Add(cluster);
        if (cluster.LoadAssignment is not null)
            _endpoints.Add(new(cluster.Name, cluster.LoadAssignment));
        return this;
    }

    /// <summary>The resolved endpoints of a cluster (what EDS sent).</summary>
    public SnapshotBuilder Endpoints(string cluster, ClusterLoadAssignment assignment)
    {
        _endpoints.Add(new(cluster, assignment));
        return this;
    }

    public SnapshotBuilder Route(RouteConfiguration routes)
    {
        _routes.Add(routes);
        return this;
    }

    public MeshSnapshot Build(string version = "1") => new(version, _listeners, _clusters, _endpoints, _routes, Ids);
}
