using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;

namespace Kmesh.Sdk.Snapshot;

/// <summary>
/// One consistent view of the mesh, in Envoy's own v3 types: what every translator reads.
/// Immutable; the core builds a new one for every change and hands it to all plugins.
/// </summary>
/// <remarks>
/// <see cref="Endpoints"/> is keyed by cluster name and already resolved: for EDS clusters
/// it is the ClusterLoadAssignment the control plane sent, for STATIC clusters their
/// <c>load_assignment</c>, and for STRICT_DNS / LOGICAL_DNS clusters the addresses the
/// core resolved. A translator never needs to look anywhere else for endpoints.
/// </remarks>
public sealed class MeshSnapshot
{
    /// <summary>Builds a snapshot; later entries with the same name replace earlier ones.</summary>
    public MeshSnapshot(
        string version,
        IEnumerable<Listener> listeners,
        IEnumerable<Cluster> clusters,
        IEnumerable<KeyValuePair<string, ClusterLoadAssignment>> endpoints,
        IEnumerable<RouteConfiguration> routes,
        IMeshIds ids)
    {
        Version = version;
        Listeners = listeners.ToArray();
        Clusters = ByName(clusters, c => c.Name);
        Endpoints = endpoints.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
        Routes = ByName(routes, r => r.Name);
        Ids = ids;
    }

    /// <summary>The version of the configuration this snapshot was built from.</summary>
    public string Version { get; }

    /// <summary>Listeners: a listener bound to a VIP:port is a service.</summary>
    public IReadOnlyList<Listener> Listeners { get; }

    /// <summary>Clusters by name.</summary>
    public IReadOnlyDictionary<string, Cluster> Clusters { get; }

    /// <summary>Resolved endpoints by cluster name (see remarks).</summary>
    public IReadOnlyDictionary<string, ClusterLoadAssignment> Endpoints { get; }

    /// <summary>Route configurations by name.</summary>
    public IReadOnlyDictionary<string, RouteConfiguration> Routes { get; }

    /// <summary>Stable numeric ids shared by all plugins.</summary>
    public IMeshIds Ids { get; }

    /// <summary>An empty snapshot (no services): every connect passes through.</summary>
    public static MeshSnapshot Empty(IMeshIds ids) => new("", [], [], [], [], ids);

    private static Dictionary<string, T> ByName<T>(IEnumerable<T> items, Func<T, string> name)
    {
        var result = new Dictionary<string, T>(StringComparer.Ordinal);
        foreach (var item in items)
            result[name(item)] = item;
        return result;
    }
}
