using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf;
using Kmesh.Envoy.Api;

namespace Kmesh.Sdk.Snapshot;

/// <summary>
/// What goes with each <see cref="ResourceKind"/>: its type URL, the parser of its messages, the
/// short name xDS logs use (<c>lds</c>) and how diagnostics name it (<c>route configuration</c>).
/// The one table the xDS client, the file reader, diagnostics and <c>kmesh config check</c> share.
/// </summary>
public static class ResourceKinds
{
    private static readonly Descriptor[] Descriptors =
    [
        new(ResourceKind.Listener, EnvoyTypes.Listener, "lds", "listener", Listener.Parser),
        new(ResourceKind.Cluster, EnvoyTypes.Cluster, "cds", "cluster", Cluster.Parser),
        new(ResourceKind.ClusterLoadAssignment, EnvoyTypes.ClusterLoadAssignment, "eds", "cluster load assignment", ClusterLoadAssignment.Parser),
        new(ResourceKind.RouteConfiguration, EnvoyTypes.RouteConfiguration, "rds", "route configuration", RouteConfiguration.Parser),
        new(ResourceKind.Secret, EnvoyTypes.TypeUrlPrefix + "envoy.extensions.transport_sockets.tls.v3.Secret", "sds", "secret", null),
    ];

    /// <summary>Every kind, in declaration order.</summary>
    public static IReadOnlyList<ResourceKind> All { get; } = Descriptors.Select(d => d.Kind).ToArray();

    /// <summary>The type URL of a kind, e.g. <c>type.googleapis.com/envoy.config.listener.v3.Listener</c>.</summary>
    public static string TypeUrl(ResourceKind kind) => Of(kind).TypeUrl;

    /// <summary>The short name of a kind's discovery service: <c>lds</c>, <c>cds</c>, <c>eds</c>, <c>rds</c>, <c>sds</c>.</summary>
    public static string Short(ResourceKind kind) => Of(kind).Short;

    /// <summary>How diagnostics name a kind, e.g. <c>cluster load assignment</c>.</summary>
    public static string Label(ResourceKind kind) => Of(kind).Label;

    /// <summary>The parser of a kind's messages, or null for a kind Kmesh does not read (secrets).</summary>
    public static MessageParser? Parser(ResourceKind kind) => Of(kind).Parser;

    /// <summary>The kind with this type URL, or null when Kmesh does not know it.</summary>
    public static ResourceKind? FromTypeUrl(string typeUrl)
    {
        foreach (var descriptor in Descriptors)
        {
            if (descriptor.TypeUrl == typeUrl)
                return descriptor.Kind;
        }
        return null;
    }

    /// <summary>The kind whose <see cref="Label"/> starts <paramref name="text"/> followed by a space, longest label first.</summary>
    internal static ResourceKind? FromLabelPrefix(string text)
    {
        ResourceKind? best = null;
        var bestLength = 0;
        foreach (var descriptor in Descriptors)
        {
            var label = descriptor.Label;
            if (label.Length > bestLength && text.Length > label.Length && text.StartsWith(label, StringComparison.Ordinal) && text[label.Length] == ' ')
            {
                best = descriptor.Kind;
                bestLength = label.Length;
            }
        }
        return best;
    }

    private static Descriptor Of(ResourceKind kind) =>
        (uint)kind < (uint)Descriptors.Length ? Descriptors[(int)kind] : throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a resource kind");

    private sealed record Descriptor(ResourceKind Kind, string TypeUrl, string Short, string Label, MessageParser? Parser);
}
