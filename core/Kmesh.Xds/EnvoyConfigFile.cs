using System.Text.RegularExpressions;
using Envoy.Config.Bootstrap.V3;
using Envoy.Config.Cluster.V3;
using Envoy.Config.Endpoint.V3;
using Envoy.Config.Listener.V3;
using Envoy.Config.Route.V3;
using Envoy.Service.Discovery.V3;
using Google.Protobuf.Reflection;
using Kmesh.Envoy.Api;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// Reads a user's config file of Envoy v3 resources, YAML or JSON, in one of two shapes: an
/// Envoy bootstrap whose <c>static_resources</c> holds <c>listeners</c> and <c>clusters</c>,
/// or a DiscoveryResponse-like <c>resources:</c> list whose items carry an <c>"@type"</c>
/// (Envoy's file-based xDS).
/// </summary>
public static partial class EnvoyConfigFile
{
    private static readonly Dictionary<string, MessageDescriptor> ResourceTypes = new()
    {
        [Listener.Descriptor.FullName] = Listener.Descriptor,
        [Cluster.Descriptor.FullName] = Cluster.Descriptor,
        [ClusterLoadAssignment.Descriptor.FullName] = ClusterLoadAssignment.Descriptor,
        [RouteConfiguration.Descriptor.FullName] = RouteConfiguration.Descriptor,
    };

    /// <summary>Reads and parses a file.</summary>
    /// <exception cref="ConfigParseException">The file is not a valid resource file.</exception>
    public static EnvoyResources Load(string path) => Parse(path, File.ReadAllText(path));

    /// <summary>Parses the text of a file.</summary>
    /// <param name="path">Names the file in error messages; not read.</param>
    /// <param name="text">The file's content, YAML or JSON.</param>
    /// <exception cref="ConfigParseException">The text is not a valid resource file.</exception>
    public static EnvoyResources Parse(string path, string text)
    {
        var source = new YamlSource(path);
        var root = LoadYaml(source, text);
        var reader = new ResourceReader(source, EnvoyTypes.Registry);
        var collector = new ResourceCollector(source);
        if (root is not YamlMappingNode map)
            throw source.Error(root, "", "expected a mapping with static_resources or resources");

        string? version = null;
        if (Child(map, "resources") is not null)
            version = ReadResourceList(source, reader, collector, map);
        else if (Child(map, "static_resources") is not null)
            ReadBootstrap(source, reader, collector, map);
        else if (Child(map, "configs") is not null)
            throw source.Error(map, "", "this looks like an admin /config_dump; Kmesh reads a bootstrap's static_resources or a resources list");
        else
            throw source.Error(map, "", "neither static_resources (an Envoy bootstrap) nor resources (a DiscoveryResponse-style list) is present");
        return collector.Build(version);
    }

    private static YamlNode LoadYaml(YamlSource source, string text)
    {
        var stream = new YamlStream();
        try
        {
            // MergingParser: real configs use YAML merge keys (<<: *defaults).
            stream.Load(new MergingParser(new Parser(new StringReader(text))));
        }
        catch (YamlException ex)
        {
            var message = LocationPrefix().Replace(ex.InnerException?.Message ?? ex.Message, "");
            throw source.Error(ex.Start, "", "invalid YAML: " + message, ex);
        }
        if (stream.Documents.Count == 0)
            throw new ConfigParseException(source.Path, 1, 1, "", "the file is empty");
        if (stream.Documents.Count > 1)
            throw source.Error(stream.Documents[1].RootNode, "", "more than one YAML document; put all resources in one");
        return stream.Documents[0].RootNode;
    }

    private static string? ReadResourceList(YamlSource source, ResourceReader reader, ResourceCollector collector, YamlMappingNode map)
    {
        CheckKeys(source, map, DiscoveryResponse.Descriptor, "");
        string? version = null;
        if (Child(map, "version_info") is { } v)
            version = v is YamlScalarNode { Value: var text } ? text : throw source.Error(v, "version_info", "expected a string");

        var index = 0;
        foreach (var item in Items(Child(map, "resources")!))
        {
            var path = FieldPath.Index("resources", index++);
            if (item is not YamlMappingNode resource)
                throw source.Error(item, path, "expected a mapping with an \"@type\"");
            var type = reader.Writer.ResolveAny(resource, path, out var url);
            if (!ResourceTypes.ContainsKey(type.FullName))
                throw source.Error(resource, path,
                    $"resource type {url} is not one Kmesh reads from a file (Listener, Cluster, ClusterLoadAssignment, RouteConfiguration)");
            collector.Add(reader.Read(resource, type, path, skipTypeKey: true), resource, path);
        }
        return version;
    }

    private static void ReadBootstrap(YamlSource source, ResourceReader reader, ResourceCollector collector, YamlMappingNode map)
    {
        // Only static_resources is ours; the rest (admin, node, layered_runtime...) belongs to
        // Envoy, but a key that is not a bootstrap field at all is a typo worth reporting.
        CheckKeys(source, map, Bootstrap.Descriptor, "");
        if (Child(map, "static_resources") is not YamlMappingNode statics)
            throw source.Error(Child(map, "static_resources")!, "static_resources", "expected a mapping");
        CheckKeys(source, statics, Bootstrap.Types.StaticResources.Descriptor, "static_resources");

        foreach (var (name, type) in new[] { ("listeners", Listener.Descriptor), ("clusters", Cluster.Descriptor) })
        {
            if (Child(statics, name) is not { } list)
                continue;
            var index = 0;
            foreach (var item in Items(list))
            {
                var path = FieldPath.Index(name, index++);
                collector.Add(reader.Read(item, type, path), item, path);
            }
        }
    }

    // Every key must at least be a field of the shape's message, even the ones ignored.
    private static void CheckKeys(YamlSource source, YamlMappingNode map, MessageDescriptor shape, string path)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (YamlProtoWriter.FindField(shape, name) is null)
                throw source.Error(key, FieldPath.Field(path, name), $"unknown field '{name}' in {shape.FullName}");
        }
    }

    // By proto name or by JSON name, as the parser accepts both.
    private static YamlNode? Child(YamlMappingNode map, string protoName)
    {
        var jsonName = string.Concat(protoName.Split('_').Select((part, i) => i == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));
        return map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: var k } && (k == protoName || k == jsonName)).Value;
    }

    // As Envoy does, a lone mapping where a list belongs is a list of one; null is none.
    private static IEnumerable<YamlNode> Items(YamlNode node) => node switch
    {
        YamlSequenceNode list => list.Children,
        YamlScalarNode s when YamlScalar.Classify(s) == ScalarKind.Null => [],
        _ => [node],
    };

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex LocationPrefix();
}
