using Envoy.Config.Cluster.V3;
using Envoy.Config.Listener.V3;
using Google.Protobuf;
using Kmesh.Sdk.Snapshot;

namespace Kmesh.Core.Mesh;

/// <summary>
/// What changed between two snapshots, resource by resource: the same object (a delta ADS client
/// keeps what did not change) is unchanged at the cost of a reference comparison; another object
/// (a SotW push, a re-read file, a DNS answer) is compared by content.
/// </summary>
public static class MeshDiff
{
    /// <summary>The names added, changed or removed from <paramref name="before"/> to <paramref name="after"/>.</summary>
    public static MeshChanges Compute(MeshSnapshot before, MeshSnapshot after)
    {
        // A snapshot derived from `before` (SnapshotBuilder) knows what it replaced: no walk of the rest.
        if (SnapshotBuilder.DerivedChanges(before, after) is { } derived)
            return derived;
        if (ReferenceEquals(before.Listeners, after.Listeners))
            return new MeshChanges([], ChangedClusters(before.Clusters, after.Clusters), Changed(before.Endpoints, after.Endpoints), Changed(before.Routes, after.Routes));
        var listeners = Changed(before.ListenersByName, after.ListenersByName);
        // Listeners are a list, and which of two listeners on one address wins may go by order:
        // when the listeners both snapshots hold are in another order, every listener is listed
        // (rare: a control plane keeps its order). An insertion or a removal keeps the others'
        // order; the listener added or removed is listed by the walk above.
        if (!SameRelativeOrder(before, after))
            listeners = before.Listeners.Concat(after.Listeners).Select(l => l.Name).Distinct(StringComparer.Ordinal).ToList();
        return new MeshChanges(listeners, ChangedClusters(before.Clusters, after.Clusters), Changed(before.Endpoints, after.Endpoints), Changed(before.Routes, after.Routes));
    }

    /// <summary>
    /// The clusters that changed, less those that changed only in their inline
    /// <c>load_assignment</c> (a STATIC cluster's endpoints, as a bootstrap file writes them): the
    /// snapshot resolves those into its endpoints, where <see cref="Compute"/> sees the change, so
    /// a one-endpoint edit of a bootstrap is an endpoint change, as an EDS update is — translators
    /// that only follow endpoint changes incrementally (routing, ratelimit, faultinject, accelerate)
    /// then need not translate the whole mesh again.
    /// </summary>
    private static List<string> ChangedClusters(IReadOnlyDictionary<string, Cluster> before, IReadOnlyDictionary<string, Cluster> after)
    {
        var names = Changed(before, after);
        names.RemoveAll(name => before.TryGetValue(name, out var was) && after.TryGetValue(name, out var now)
            && IsStatic(was) && IsStatic(now) && SameButAssignment(was, now));
        return names;
    }

    // Only STATIC: a DNS cluster's load_assignment names hosts the core resolves, and an EDS one has none.
    private static bool IsStatic(Cluster cluster) =>
        cluster.ClusterDiscoveryTypeCase != Cluster.ClusterDiscoveryTypeOneofCase.ClusterType
        && cluster.Type == Cluster.Types.DiscoveryType.Static && cluster.LoadAssignment is not null;

    private static bool SameButAssignment(Cluster was, Cluster now)
    {
        var a = was.Clone();
        var b = now.Clone();
        a.LoadAssignment = null;
        b.LoadAssignment = null;
        return a.Equals(b);
    }

    /// <summary>
    /// How many resources <paramref name="after"/> holds as other objects than <paramref name="before"/>
    /// (changed or not), or no longer holds: what the update made anew, and left as garbage. A re-read
    /// file hands on the objects of the items it did not parse again, so a one-endpoint edit of a
    /// 10 000-service file replaces one or two, though its snapshot is built anew.
    /// </summary>
    internal static int Replaced(MeshSnapshot before, MeshSnapshot after) =>
        Replaced(before.ListenersByName, after.ListenersByName) + Replaced(before.Clusters, after.Clusters)
        + Replaced(before.Endpoints, after.Endpoints) + Replaced(before.Routes, after.Routes);

    private static int Replaced<T>(IReadOnlyDictionary<string, T> before, IReadOnlyDictionary<string, T> after)
        where T : class
    {
        if (ReferenceEquals(before, after))
            return 0;
        var replaced = 0;
        var present = 0;
        foreach (var (name, now) in after)
        {
            var had = before.TryGetValue(name, out var was);
            if (had)
                present++;
            if (!had || !ReferenceEquals(was, now))
                replaced++;
        }
        return replaced + (before.Count - present); // and those removed
    }

    /// <summary>Whether the listeners in both snapshots come in the same order in each.</summary>
    private static bool SameRelativeOrder(MeshSnapshot before, MeshSnapshot after)
    {
        var common = after.Listeners.Where(l => before.ListenersByName.ContainsKey(l.Name)).Select(l => l.Name);
        var kept = before.Listeners.Where(l => after.ListenersByName.ContainsKey(l.Name)).Select(l => l.Name);
        return kept.SequenceEqual(common, StringComparer.Ordinal);
    }

    /// <summary>Of <paramref name="names"/>, those whose entry differs from <paramref name="before"/> to <paramref name="after"/> (as <see cref="Compute"/> decides).</summary>
    internal static List<string> Changed<T>(IReadOnlyDictionary<string, T> before, IReadOnlyDictionary<string, T> after, IEnumerable<string> names)
        where T : class, IMessage
    {
        var result = new List<string>();
        foreach (var name in names)
        {
            var had = before.TryGetValue(name, out var was);
            var has = after.TryGetValue(name, out var now);
            if (had != has || (had && !(ReferenceEquals(was, now) || was!.Equals(now))))
                result.Add(name);
        }
        return result;
    }

    private static List<string> Changed<T>(IReadOnlyDictionary<string, T> before, IReadOnlyDictionary<string, T> after)
        where T : class, IMessage
    {
        var names = new List<string>();
        if (ReferenceEquals(before, after))
            return names;
        foreach (var (name, now) in after)
        {
            if (!before.TryGetValue(name, out var was) || !(ReferenceEquals(was, now) || was.Equals(now)))
                names.Add(name);
        }
        foreach (var name in before.Keys)
        {
            if (!after.ContainsKey(name))
                names.Add(name);
        }
        return names;
    }
}
