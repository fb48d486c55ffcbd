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
            return new MeshChanges([], Changed(before.Clusters, after.Clusters), Changed(before.Endpoints, after.Endpoints), Changed(before.Routes, after.Routes));
        var listeners = Changed(before.ListenersByName, after.ListenersByName);
        // Listeners are a list, and which of two listeners on one address wins may go by order:
        // when the listeners both snapshots hold are in another order, every listener is listed
        // (rare: a control plane keeps its order). An insertion or a removal keeps the others'
        // order; the listener added or removed is listed by the walk above.
        if (!SameRelativeOrder(before, after))
            listeners = before.Listeners.Concat(after.Listeners).Select(l => l.Name).Distinct(StringComparer.Ordinal).ToList();
        return new MeshChanges(listeners, Changed(before.Clusters, after.Clusters), Changed(before.Endpoints, after.Endpoints), Changed(before.Routes, after.Routes));
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
