using Envoy.Config.Cluster.V3;
using Google.Protobuf;
using Kmesh.Envoy.Api;
using Kmesh.Sdk.Snapshot;

namespace Kmesh.Xds.Ads;

/// <summary>The four resource types the client subscribes to: order, parsers, names.</summary>
internal static class XdsTypes
{
    /// <summary>Make-before-break order: clusters, their endpoints, then listeners and their routes.</summary>
    public static readonly string[] Order = [EnvoyTypes.Cluster, EnvoyTypes.ClusterLoadAssignment, EnvoyTypes.Listener, EnvoyTypes.RouteConfiguration];

    /// <summary>LDS and CDS are wildcard subscriptions; EDS and RDS name what they want.</summary>
    public static bool IsWildcard(string typeUrl) => typeUrl is EnvoyTypes.Listener or EnvoyTypes.Cluster;

    /// <summary>Short name for logs and versions.</summary>
    public static string Short(string typeUrl) => ResourceKinds.FromTypeUrl(typeUrl) is { } kind ? ResourceKinds.Short(kind) : typeUrl;

    /// <summary>The parser for a type, or null if the client does not read it.</summary>
    public static MessageParser? Parser(string typeUrl) =>
        Order.Contains(typeUrl) && ResourceKinds.FromTypeUrl(typeUrl) is { } kind ? ResourceKinds.Parser(kind) : null;

    /// <summary>The ClusterLoadAssignment an EDS cluster waits for, or null for other discovery types.</summary>
    public static string? EdsName(Cluster cluster) =>
        cluster.ClusterDiscoveryTypeCase == Cluster.ClusterDiscoveryTypeOneofCase.Type && cluster.Type == Cluster.Types.DiscoveryType.Eds
            ? string.IsNullOrEmpty(cluster.EdsClusterConfig?.ServiceName) ? cluster.Name : cluster.EdsClusterConfig.ServiceName
            : null;

    /// <summary>The resource of one of the subscribed types named <paramref name="name"/>, as translators name it.</summary>
    public static ResourceRef Reference(string typeUrl, string name) =>
        new(ResourceKinds.FromTypeUrl(typeUrl) ?? throw new ArgumentException($"not a resource type: {typeUrl}", nameof(typeUrl)), name);
}
