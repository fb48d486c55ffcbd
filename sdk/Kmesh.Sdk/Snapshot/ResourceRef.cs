using Google.Protobuf;
using EnvoyCluster = Envoy.Config.Cluster.V3.Cluster;
using EnvoyListener = Envoy.Config.Listener.V3.Listener;
using LoadAssignmentMessage = Envoy.Config.Endpoint.V3.ClusterLoadAssignment;
using RouteConfigurationMessage = Envoy.Config.Route.V3.RouteConfiguration;

namespace Kmesh.Sdk.Snapshot;

/// <summary>
/// One xDS resource, by kind and name: how change sets, translator findings and facts, NACKs and
/// <c>kmesh config check</c> refer to a resource. It reads as diagnostics print it,
/// <c>listener reviews</c> or <c>cluster load assignment outbound|9080||reviews</c>.
/// </summary>
/// <param name="Kind">What kind of resource it is.</param>
/// <param name="Name">Its name (a ClusterLoadAssignment's <c>cluster_name</c>).</param>
public readonly record struct ResourceRef(ResourceKind Kind, string Name) : IComparable<ResourceRef>
{
    /// <summary>The listener named <paramref name="name"/>.</summary>
    public static ResourceRef Listener(string name) => new(ResourceKind.Listener, name);

    /// <summary>The cluster named <paramref name="name"/>.</summary>
    public static ResourceRef Cluster(string name) => new(ResourceKind.Cluster, name);

    /// <summary>The ClusterLoadAssignment whose <c>cluster_name</c> is <paramref name="clusterName"/>.</summary>
    public static ResourceRef LoadAssignment(string clusterName) => new(ResourceKind.ClusterLoadAssignment, clusterName);

    /// <summary>The route configuration named <paramref name="name"/>.</summary>
    public static ResourceRef Routes(string name) => new(ResourceKind.RouteConfiguration, name);

    /// <summary>The secret named <paramref name="name"/>.</summary>
    public static ResourceRef Secret(string name) => new(ResourceKind.Secret, name);

    /// <summary>The reference of a resource message, or null when it is not one of the kinds Kmesh reads.</summary>
    public static ResourceRef? Of(IMessage message) => message switch
    {
        EnvoyListener l => Listener(l.Name),
        EnvoyCluster c => Cluster(c.Name),
        LoadAssignmentMessage e => LoadAssignment(e.ClusterName),
        RouteConfigurationMessage r => Routes(r.Name),
        _ => null,
    };

    /// <summary>The type URL of the resource's kind.</summary>
    public string TypeUrl => ResourceKinds.TypeUrl(Kind);

    /// <summary>Reads the form <see cref="ToString"/> writes (<c>listener reviews</c>); false for anything else.</summary>
    public static bool TryParse(string? text, out ResourceRef resource)
    {
        resource = default;
        if (text is null || ResourceKinds.FromLabelPrefix(text) is not { } kind)
            return false;
        resource = new ResourceRef(kind, text[(ResourceKinds.Label(kind).Length + 1)..]);
        return true;
    }

    /// <summary>Orders by kind, then by name (ordinal): the order reports list resources in.</summary>
    public int CompareTo(ResourceRef other)
    {
        var byKind = Kind.CompareTo(other.Kind);
        return byKind != 0 ? byKind : string.CompareOrdinal(Name, other.Name);
    }

    /// <inheritdoc />
    public override string ToString() => $"{ResourceKinds.Label(Kind)} {Name}";
}
