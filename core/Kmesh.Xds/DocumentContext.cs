using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Google.Protobuf.Reflection;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>What every document shape reads with: the file, the resource reader, the collector.</summary>
internal sealed class DocumentContext(YamlSource source, ResourceReader reader, ResourceCollector collector)
{
    /// <summary>The message types a file may hold as resources.</summary>
    public static readonly IReadOnlyList<MessageDescriptor> ResourceTypes =
        [Listener.Descriptor, Cluster.Descriptor, ClusterLoadAssignment.Descriptor, RouteConfiguration.Descriptor];

    /// <summary>
    /// The other resource types of Envoy's xDS (SDS, scoped RDS, VHDS, RTDS, ECDS, LEDS): a
    /// resources list may rightly hold them, so they are skipped with a warning, whereas any
    /// other known message there (a filter config, say) is a mistake.
    /// </summary>
    private static readonly HashSet<string> OtherXdsTypes =
    [
        "envoy.extensions.transport_sockets.tls.v3.Secret",
        "envoy.config.route.v3.ScopedRouteConfiguration",
        "envoy.config.route.v3.VirtualHost",
        "envoy.service.runtime.v3.Runtime",
        "envoy.config.core.v3.TypedExtensionConfig",
        "envoy.config.endpoint.v3.LbEndpoint",
    ];

    private static readonly string ResourceTypeNames = string.Join(", ", ResourceTypes.Select(t => t.Name));

    public YamlSource Source { get; } = source;

    public ResourceReader Reader { get; } = reader;

    public ResourceCollector Collector { get; } = collector;

    /// <summary>Reads a node as a resource of a known type and keeps it.</summary>
    public void Add(YamlNode node, MessageDescriptor type, string path, bool skipTypeKey = false) =>
        Collector.Add(Reader.Read(node, type, path, skipTypeKey), node, path);

    /// <summary>
    /// Reads an <c>"@type"</c>-tagged resource node. <paramref name="expected"/> limits the type
    /// (where the document says what it holds); without it, a resource of a type Kmesh does not
    /// know, or of an xDS type it does not read (such as a Secret), is skipped with a warning.
    /// </summary>
    public void AddTagged(YamlNode node, string path, MessageDescriptor? expected = null)
    {
        if (node is not YamlMappingNode map)
            throw Source.Error(node, path, "expected a mapping with an \"@type\"");
        var type = Reader.Writer.TryResolveAny(map, path, out var url, out var typeNode);
        if (type is null)
        {
            if (expected is not null)
                throw Reader.Writer.UnknownType(typeNode, path, url);
            Source.Warn(typeNode, path,
                $"unknown resource type '{url}': Kmesh does not know the message type {UnknownTypes.TypeName(url)}{UnknownTypes.Hint(url)}; skipped");
            return;
        }
        if (expected is not null && type != expected)
            throw Source.Error(map, path, $"expected a {expected.FullName} here, not {url}");
        if (!ResourceTypes.Contains(type))
        {
            if (expected is null && OtherXdsTypes.Contains(type.FullName))
            {
                Source.Warn(typeNode, path, $"resource type {url} is not one Kmesh reads ({ResourceTypeNames}); skipped");
                return;
            }
            throw Source.Error(map, path, $"resource type {url} is not one Kmesh reads from a file ({ResourceTypeNames})");
        }
        Add(map, type, path, skipTypeKey: true);
    }
}
