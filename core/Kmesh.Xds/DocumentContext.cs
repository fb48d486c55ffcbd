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

    public YamlSource Source { get; } = source;

    public ResourceReader Reader { get; } = reader;

    public ResourceCollector Collector { get; } = collector;

    /// <summary>Reads a node as a resource of a known type and keeps it.</summary>
    public void Add(YamlNode node, MessageDescriptor type, string path, bool skipTypeKey = false) =>
        Collector.Add(Reader.Read(node, type, path, skipTypeKey), node, path);

    /// <summary>Reads an <c>"@type"</c>-tagged resource node; <paramref name="expected"/> limits the type.</summary>
    public void AddTagged(YamlNode node, string path, MessageDescriptor? expected = null)
    {
        if (node is not YamlMappingNode map)
            throw Source.Error(node, path, "expected a mapping with an \"@type\"");
        var type = Reader.Writer.ResolveAny(map, path, out var url);
        if (expected is not null && type != expected)
            throw Source.Error(map, path, $"expected a {expected.FullName} here, not {url}");
        if (!ResourceTypes.Contains(type))
            throw Source.Error(map, path,
                $"resource type {url} is not one Kmesh reads from a file (Listener, Cluster, ClusterLoadAssignment, RouteConfiguration)");
        Add(map, type, path, skipTypeKey: true);
    }
}
