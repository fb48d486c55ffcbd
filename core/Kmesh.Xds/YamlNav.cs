using Google.Protobuf.Reflection;
using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>Small lookups over YAML nodes shared by the document shapes.</summary>
internal static class YamlNav
{
    /// <summary>A mapping's value by proto name or by JSON (lowerCamel) name, as the parser accepts both.</summary>
    public static YamlNode? Child(YamlNode? node, string protoName)
    {
        if (node is not YamlMappingNode map)
            return null;
        var jsonName = string.Concat(protoName.Split('_').Select((part, i) => i == 0 ? part : char.ToUpperInvariant(part[0]) + part[1..]));
        return map.Children.FirstOrDefault(kv => kv.Key is YamlScalarNode { Value: var k } && (k == protoName || k == jsonName)).Value;
    }

    /// <summary>The items of a list; as Envoy does, a lone mapping is a list of one and null is none.</summary>
    public static IEnumerable<YamlNode> Items(YamlNode? node) => node switch
    {
        null => [],
        YamlSequenceNode list => list.Children,
        YamlScalarNode s when YamlScalar.Classify(s) == ScalarKind.Null => [],
        _ => [node],
    };

    /// <summary>The key names of a mapping, other than <c>@type</c>.</summary>
    public static IEnumerable<(YamlNode Key, string Name)> Keys(YamlMappingNode map) =>
        map.Children.Keys.Select(k => (k, (k as YamlScalarNode)?.Value ?? "")).Where(k => k.Item2 != "@type");

    /// <summary>Every key must at least be a field of the shape's message, even the ones then ignored.</summary>
    public static void CheckKeys(YamlSource source, YamlMappingNode map, MessageDescriptor shape, string path)
    {
        foreach (var (key, name) in Keys(map))
        {
            if (YamlProtoWriter.FindField(shape, name) is null)
                throw source.Error(key, FieldPath.Field(path, name), $"unknown field '{name}' in {shape.FullName}");
        }
    }
}
