using Kmesh.Envoy.Api;

namespace Kmesh.Xds.Server;

/// <summary>Everything the server serves at one moment, by type URL and name.</summary>
/// <param name="Version">Counts the changes since start: the SotW version_info and delta system_version_info.</param>
/// <param name="Resources">Type URL → name → resource.</param>
public sealed record ServedSnapshot(string Version, IReadOnlyDictionary<string, SortedDictionary<string, ServedResource>> Resources)
{
    /// <summary>The four types, in the order changes are pushed: clusters and endpoints before the listeners and routes that use them.</summary>
    public static readonly string[] PushOrder = [EnvoyTypes.Cluster, EnvoyTypes.ClusterLoadAssignment, EnvoyTypes.Listener, EnvoyTypes.RouteConfiguration];

    /// <summary>An empty snapshot.</summary>
    public static ServedSnapshot Empty { get; } = new("0", PushOrder.ToDictionary(t => t, _ => new SortedDictionary<string, ServedResource>(StringComparer.Ordinal)));

    /// <summary>The resources of a type (empty for a type the server does not serve).</summary>
    public SortedDictionary<string, ServedResource> Of(string typeUrl) =>
        Resources.TryGetValue(typeUrl, out var set) ? set : [];

    /// <summary>True when both hold the same resources with the same versions.</summary>
    public bool SameContent(ServedSnapshot other) =>
        PushOrder.All(t => Of(t).Count == other.Of(t).Count && Of(t).All(e => other.Of(t).TryGetValue(e.Key, out var o) && o.Version == e.Value.Version));
}
