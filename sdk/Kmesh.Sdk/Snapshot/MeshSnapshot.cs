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

    private MeshSnapshot(
        string version,
        IReadOnlyList<Listener> listeners,
        IReadOnlyDictionary<string, Cluster> clusters,
        IReadOnlyDictionary<string, ClusterLoadAssignment> endpoints,
        IReadOnlyDictionary<string, RouteConfiguration> routes,
        IMeshIds ids)
    {
        Version = version;
        Listeners = listeners;
        Clusters = clusters;
        Endpoints = endpoints;
        Routes = routes;
        Ids = ids;
    }

    /// <summary>
    /// A snapshot that holds the given collections as they are, without copying: what the core uses
    /// to derive a snapshot from the previous one, sharing what did not change. The caller hands
    /// over collections it never modifies again (and, for <paramref name="listeners"/>, one whose
    /// later entries of the same name replace earlier ones, as for the constructor).
    /// </summary>
    public static MeshSnapshot Sharing(
        string version,
        IReadOnlyList<Listener> listeners,
        IReadOnlyDictionary<string, Cluster> clusters,
        IReadOnlyDictionary<string, ClusterLoadAssignment> endpoints,
        IReadOnlyDictionary<string, RouteConfiguration> routes,
        IMeshIds ids,
        IReadOnlyDictionary<string, Listener>? listenersByName = null) =>
        new(version, listeners, clusters, endpoints, routes, ids) { _listenersByName = listenersByName };

    private IReadOnlyDictionary<string, Listener>? _listenersByName;

    /// <summary>
    /// Listeners by name, as translators see them (a later listener of the same name replaces an
    /// earlier one); built once per snapshot, on first use.
    /// </summary>
    public IReadOnlyDictionary<string, Listener> ListenersByName =>
        _listenersByName ??= ByName(Listeners, l => l.Name);

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
