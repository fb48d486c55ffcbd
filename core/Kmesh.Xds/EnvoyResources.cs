using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;
using Kmesh.Envoy.Api;

namespace Kmesh.Xds;

/// <summary>The Envoy v3 resources one config file holds, in file order.</summary>
/// <param name="Listeners">LDS resources.</param>
/// <param name="Clusters">CDS resources.</param>
/// <param name="Endpoints">EDS resources (<c>ClusterLoadAssignment</c>).</param>
/// <param name="Routes">RDS resources (stand-alone <c>RouteConfiguration</c>s).</param>
/// <param name="VersionInfo">The document's <c>version_info</c>, when it is a resources list that has one.</param>
public sealed record EnvoyResources(
    IReadOnlyList<Listener> Listeners,
    IReadOnlyList<Cluster> Clusters,
    IReadOnlyList<ClusterLoadAssignment> Endpoints,
    IReadOnlyList<RouteConfiguration> Routes,
    string? VersionInfo)
{
    /// <summary>
    /// The 1-based line where each resource starts, keyed by type URL (see
    /// <see cref="Kmesh.Envoy.Api.EnvoyTypes"/>) and resource name, so that later checks can
    /// point a person at the resource they complain about. Unnamed resources (Envoy allows
    /// static listeners without a name) have no entry.
    /// </summary>
    public IReadOnlyDictionary<(string TypeUrl, string Name), int> ResourceLines { get; init; } =
        new Dictionary<(string TypeUrl, string Name), int>();

    /// <summary>
    /// What was read but is not applied, in file order: extensions of a type Kmesh does not
    /// know (their <c>google.protobuf.Any</c> keeps the type URL with an empty value) and
    /// resources of a type it does not read (left out). Empty when everything applies.
    /// </summary>
    public IReadOnlyList<ConfigWarning> Warnings { get; init; } = [];

    /// <summary>
    /// The versions a file gives its resources one by one: the <c>version</c> of an
    /// <c>envoy.service.discovery.v3.Resource</c> wrapper (delta xDS's form), keyed like
    /// <see cref="ResourceLines"/>. A resource written without a wrapper has none; the document's
    /// own version stays <see cref="VersionInfo"/>.
    /// </summary>
    public IReadOnlyDictionary<(string TypeUrl, string Name), string> ResourceVersions { get; init; } =
        new Dictionary<(string TypeUrl, string Name), string>();

    /// <summary>How many resources there are, of every type.</summary>
    public int Count => Clusters.Count + Endpoints.Count + Listeners.Count + Routes.Count;

    /// <summary>
    /// Every resource with its type URL and name (a ClusterLoadAssignment's <c>cluster_name</c>), in
    /// make-before-break order: clusters, their endpoints, listeners, routes; file order within a type.
    /// </summary>
    public IEnumerable<(string TypeUrl, string Name, IMessage Message)> All()
    {
        foreach (var c in Clusters)
            yield return (EnvoyTypes.Cluster, c.Name, c);
        foreach (var e in Endpoints)
            yield return (EnvoyTypes.ClusterLoadAssignment, e.ClusterName, e);
        foreach (var l in Listeners)
            yield return (EnvoyTypes.Listener, l.Name, l);
        foreach (var r in Routes)
            yield return (EnvoyTypes.RouteConfiguration, r.Name, r);
    }

    /// <summary>The line a resource starts on, or null when it did not come from the file.</summary>
    public int? LineOf(string typeUrl, string name) =>
        ResourceLines.TryGetValue((typeUrl, name), out var line) ? line : null;
}
