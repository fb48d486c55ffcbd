using YamlDotNet.RepresentationModel;

namespace Kmesh.Xds;

/// <summary>
/// Applies YAML merge keys (<c>&lt;&lt;: *defaults</c>) in a loaded tree. YamlDotNet's
/// MergingParser refuses a key that both the merged mapping and the mapping itself set, yet
/// overriding a default is what merge keys are for; here explicit keys win, as YAML specifies.
/// </summary>
internal static class YamlMerge
{
    public static void Apply(YamlNode root) => Visit(root, new HashSet<YamlNode>(ReferenceEqualityComparer.Instance));

    private static void Visit(YamlNode node, HashSet<YamlNode> done)
    {
        if (!done.Add(node))
            return;
        switch (node)
        {
            case YamlSequenceNode list:
                foreach (var item in list.Children)
                    Visit(item, done);
                break;
            case YamlMappingNode map:
                foreach (var value in map.Children.Values)
                    Visit(value, done);
                Merge(map, done);
                break;
        }
    }

    private static void Merge(YamlMappingNode map, HashSet<YamlNode> done)
    {
        var mergeKey = map.Children.Keys.FirstOrDefault(k => k is YamlScalarNode { Value: "<<", Style: YamlDotNet.Core.ScalarStyle.Plain });
        if (mergeKey is null)
            return;
        var sources = map.Children[mergeKey] switch
        {
            YamlMappingNode one => [one],
            YamlSequenceNode many => many.Children.OfType<YamlMappingNode>().ToList(),
            _ => new List<YamlMappingNode>(),
        };
        map.Children.Remove(mergeKey);
        // Earlier sources win over later ones, and the mapping's own keys over all of them.
        foreach (var source in sources)
        {
            Visit(source, done);
            foreach (var (key, value) in source.Children)
                if (!map.Children.ContainsKey(key))
                    map.Children.Add(key, value);
        }
    }
}
