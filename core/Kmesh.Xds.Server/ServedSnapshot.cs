using System.Collections.Immutable;
using Kmesh.Envoy.Api;

namespace Kmesh.Xds.Server;

/// <summary>Everything the server serves at one moment, by type URL and name.</summary>
/// <param name="Version">Counts the changes since start: the SotW version_info and delta system_version_info.</param>
/// <param name="Resources">Type URL → name → resource. Immutable: a change makes a new snapshot sharing what did not change.</param>
public sealed record ServedSnapshot(string Version, IReadOnlyDictionary<string, ImmutableSortedDictionary<string, ServedResource>> Resources)
{
    /// <summary>The four types, in the order changes are pushed: clusters and endpoints before the listeners and routes that use them.</summary>
    public static readonly string[] PushOrder = [EnvoyTypes.Cluster, EnvoyTypes.ClusterLoadAssignment, EnvoyTypes.Listener, EnvoyTypes.RouteConfiguration];

    private static readonly ImmutableSortedDictionary<string, ServedResource> None = ImmutableSortedDictionary.Create<string, ServedResource>(StringComparer.Ordinal);

    /// <summary>An empty snapshot.</summary>
    public static ServedSnapshot Empty { get; } = new("0", PushOrder.ToDictionary(t => t, _ => None));

    /// <summary>
    /// What changed from the previous snapshot: type URL → names added, updated or removed. Null
    /// when not known (a session then compares everything it serves).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlySet<string>>? Changes { get; init; }

    /// <summary>Counts the snapshots published (0 for <see cref="Empty"/>); consecutive snapshots differ by one.</summary>
    public long Serial { get; init; }

    /// <summary>The snapshot this one replaced (only its <see cref="Changes"/> chain is followed; cut after a while).</summary>
    internal ServedSnapshot? Previous { get; set; }

    /// <summary>The resources of a type (empty for a type the server does not serve).</summary>
    public ImmutableSortedDictionary<string, ServedResource> Of(string typeUrl) =>
        Resources.TryGetValue(typeUrl, out var set) ? set : None;

    /// <summary>True when both hold the same resources with the same versions.</summary>
    public bool SameContent(ServedSnapshot other) =>
        PushOrder.All(t => Of(t).Count == other.Of(t).Count && Of(t).All(e => other.Of(t).TryGetValue(e.Key, out var o) && o.Version == e.Value.Version));

    /// <summary>
    /// The names of <paramref name="typeUrl"/> that changed between snapshot <paramref name="since"/>
    /// (a serial) and this one; null when that is not known any more (too far back): compare everything.
    /// </summary>
    public IReadOnlySet<string>? ChangedSince(long since, string typeUrl)
    {
        if (since == Serial)
            return ImmutableHashSet<string>.Empty;
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (ServedSnapshot? s = this; s is not null && s.Serial > since; s = s.Previous)
        {
            if (s.Changes is null)
                return null;
            if (s.Changes.TryGetValue(typeUrl, out var changed))
                names.UnionWith(changed);
            if (s.Serial - 1 == since)
                return names;
        }
        return null;
    }
}
