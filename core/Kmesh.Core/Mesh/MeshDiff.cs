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
        // a new order lists every listener (rare: a control plane keeps its order).
        if (!before.Listeners.Select(l => l.Name).SequenceEqual(after.Listeners.Select(l => l.Name), StringComparer.Ordinal))
            listeners = before.Listeners.Concat(after.Listeners).Select(l => l.Name).Distinct(StringComparer.Ordinal).ToList();
        return new MeshChanges(listeners, Changed(before.Clusters, after.Clusters), Changed(before.Endpoints, after.Endpoints), Changed(before.Routes, after.Routes));
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
